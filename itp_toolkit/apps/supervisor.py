"""The supervisor's review page: pick cohort and case, compare drafts, annotate, score, release.

Composition only: ``SupervisorReview`` does the work through the store and the pure compare functions.
Identity: ``apps.identity`` decides (hub user, else ``?as=`` in a demo workspace, else ``user=`` or the
workspace's user). Non-supervisors get a page that says so (and the store refuses their writes anyway).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..errors import ITPError
from ..model import CaseStudy, Rubric
from ..store import PlanStore
from ..widgets._common import page_root, text_html
from ..widgets.supervisor import SupervisorReview
from ._context import page_context


def supervisor_review(
    workspace: Any = None,
    *,
    user: str | None = None,
    store: PlanStore | None = None,
    case_library: Mapping[str, CaseStudy] | str | Path | None = None,
    rubric: Rubric | None = None,
) -> w.Widget:
    """The review page for ``workspace`` (a Workspace, a directory, or ``$ITP_WORKSPACE``).

    ``store`` overrides the workspace's (then no workspace is needed; cases come from the shipped library
    unless ``case_library`` is given). Errors come back as a page that says what to do.
    """
    try:
        page = page_context(workspace, user=user, store=store, case_library=case_library)
        return SupervisorReview(page.store, page.user, page.cases, rubric=rubric)
    except ITPError as exc:
        return page_root(
            w.VBox(
                [
                    w.HTML(text_html("ITP Toolkit — supervision", "h2")),
                    w.Label(str(exc), _dom_classes=("itp-sup-message",)),
                ],
                _dom_classes=("itp-supervisor-review", "itp-app-error"),
            )
        )
