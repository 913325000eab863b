"""What every page needs before it can draw anything: the store, the case library and who is asking.

One place, so the trainee, supervisor, workshop and library pages open workspaces and decide identity the
same way. Identity rules live in ``identity.py``; this only gathers the parts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import NotFound
from ..formats.cache import ByteCache
from ..library.cases import load_library_user_cached
from ..model import CaseStudy
from ..services.workspace import WORKSPACE_VAR, Workspace
from ..store import PlanStore
from ..widgets.measures_plot import user_plot_cache
from .identity import workspace_user


@dataclass(frozen=True)
class PageContext:
    store: PlanStore
    cases: dict[str, CaseStudy]
    user: str
    workspace: Workspace | None
    plot_cache: ByteCache
    """The workspace's (``.itp-cache/plots``), or the user's cache folder when a page runs without one."""


def plot_cache_for(ws: Workspace | None) -> ByteCache:
    """Where a page keeps the scores plots it draws: the workspace's, or the user's cache folder."""
    return ws.plot_cache() if ws is not None else user_plot_cache()


def open_workspace(workspace: Workspace | str | Path | None) -> Workspace:
    """A Workspace from a Workspace, a directory, or (None) ``$ITP_WORKSPACE`` / the current directory."""
    if isinstance(workspace, Workspace):
        return workspace
    return Workspace.open(workspace if workspace is not None else os.environ.get(WORKSPACE_VAR) or None)


def page_context(
    workspace: Workspace | str | Path | None = None,
    *,
    user: str | None = None,
    store: PlanStore | None = None,
    case_library: Mapping[str, CaseStudy] | str | Path | None = None,
) -> PageContext:
    """The store, cases and user for a page. With ``store`` given, no workspace is needed (tests, embedding):
    cases then come from ``case_library`` or the shipped library."""
    ws = None if workspace is None and store is not None else open_workspace(workspace)
    if store is None:
        if ws is None:  # pragma: no cover - open_workspace raises first
            raise NotFound(f"no workspace: set ${WORKSPACE_VAR} or pass workspace= or store=")
        store = ws.store()
    if case_library is None and ws is not None:
        cases = ws.load_cases()
    elif isinstance(case_library, Mapping):
        cases = dict(case_library)
    else:  # no workspace to keep the parsed copy in: the user's cache folder
        cases = load_library_user_cached(case_library)
    return PageContext(
        store=store,
        cases=cases,
        user=workspace_user(ws, user),
        workspace=ws,
        plot_cache=plot_cache_for(ws),
    )
