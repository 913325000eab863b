"""The toolkit's JupyterHub hooks, shared by the one-machine hub (``jupyterhub_config.py``) and Zero to
JupyterHub (``deploy/z2jh``: the hub image puts this file on the hub's Python path).

``pre_spawn_hook(provisioner, pages_into_home=...)`` makes the hook JupyterHub calls before it starts a
person's server: it syncs the person from their hub groups, (re)grants their own PostgreSQL role with a new
password and hands the server ``ITP_DATABASE_URL`` (their role, no password), ``PGPASSWORD`` and
``ITP_ROLE`` (which pages to show). With ``pages_into_home`` (a local spawner, which shares the hub's disk)
it also copies the role's pages into ``pages/`` in the person's folder; in Kubernetes the image carries
them and the pod's postStart hook copies them (``deploy/z2jh/values.yaml``).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from itp_toolkit.services import hub_sync

PAGES = {
    "trainee": ["trainee_workspace.ipynb", "workshop_debrief.ipynb", "case_library.ipynb"],
    "supervisor": [
        "supervisor_review.ipynb",
        "facilitator.ipynb",
        "workshop_progress.ipynb",
        "workshop_debrief.ipynb",
        "case_library.ipynb",
    ],
}
"""The page notebooks each role gets in ``pages/`` (the same lists as ``deploy/z2jh/Dockerfile``)."""
ROLE_VAR = "ITP_ROLE"


def copy_pages(notebooks: Path, folder: Path, role: str) -> None:
    """The role's pages into ``folder``, replacing what was there: the folder is the app's, not the person's
    (a person's server gets them fresh in ``pages/`` at every start)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in PAGES[role]:
        shutil.copy2(notebooks / name, folder / name)


def groups_of(user: Any) -> tuple[list[str], dict[str, str]]:
    """A hub user's group names, and the cohort name property of those groups that have one."""
    names = [g.name for g in user.groups]
    cohort_names = {
        g.name: str(g.properties[hub_sync.COHORT_NAME_PROPERTY])
        for g in user.groups
        if (g.properties or {}).get(hub_sync.COHORT_NAME_PROPERTY)
    }
    return names, cohort_names


def pre_spawn_hook(
    provisioner: hub_sync.ServerProvisioner, *, notebooks: Path | None = None, pages_into_home: bool = False
) -> Callable[[Any], Awaitable[None]]:
    async def hook(spawner: Any) -> None:
        user = spawner.user
        groups, cohort_names = groups_of(user)
        user_info = getattr(user, "user_info", None) or {}
        # Database calls block: run them off the hub's event loop.
        env = await asyncio.to_thread(
            provisioner.environment, user.name, groups, cohort_names=cohort_names, user_info=user_info
        )
        person = hub_sync.person_from_groups(user.name, groups, cohort_names=cohort_names)
        assert person is not None  # environment() refuses anyone the groups do not name
        env[ROLE_VAR] = person.role
        if pages_into_home and notebooks is not None:
            home = Path(spawner.home_dir)
            await asyncio.to_thread(copy_pages, notebooks, home / "pages", person.role)
        spawner.environment = {**spawner.environment, **env}

    return hook


if __name__ == "__main__":  # python itp_hub_hooks.py NOTEBOOKS DESTINATION: DESTINATION/<role>/ (z2jh image)
    import sys

    for _role in PAGES:
        copy_pages(Path(sys.argv[1]), Path(sys.argv[2]) / _role, _role)
