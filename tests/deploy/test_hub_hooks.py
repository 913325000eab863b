"""deploy/jupyterhub/itp_hub_hooks.py: the pages each role gets (the pre-spawn hook itself runs, on a
real hub, in test_hub_e2e.py)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "jupyterhub"))
import itp_hub_hooks  # noqa: E402

NOTEBOOKS = REPO / "notebooks"


def test_every_page_a_role_gets_is_a_notebook_of_the_toolkit() -> None:
    for role, pages in itp_hub_hooks.PAGES.items():
        assert pages, role
        assert [p for p in pages if not (NOTEBOOKS / p).is_file()] == [], role
    assert "trainee_workspace.ipynb" in itp_hub_hooks.PAGES["trainee"]
    assert "supervisor_review.ipynb" in itp_hub_hooks.PAGES["supervisor"]
    assert "facilitator.ipynb" not in itp_hub_hooks.PAGES["trainee"]


def test_pages_are_replaced_at_every_start(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "supervisor_review.ipynb").write_text("a page from when this person was a supervisor")
    itp_hub_hooks.copy_pages(NOTEBOOKS, pages, "trainee")
    assert sorted(p.name for p in pages.iterdir()) == sorted(itp_hub_hooks.PAGES["trainee"])
    assert (pages / "trainee_workspace.ipynb").read_bytes() == (
        NOTEBOOKS / "trainee_workspace.ipynb"
    ).read_bytes()
