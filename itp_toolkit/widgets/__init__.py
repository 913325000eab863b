"""The widgets, and the small public API a notebook author composes a teaching notebook from.

Public (``__all__``): ``CaseViewer`` (a case up to a week, all or chosen sections), ``PlanEditor`` (a plan
in memory), ``DraftEditor`` (a stored draft, autosaved), ``CritiquePanel`` and ``critique_for`` (the live
critique following an editor), ``PlanCompare`` (two plans side by side), ``MeasuresPlot`` (scores on their
bands, week by week) and ``AnnotationThread`` (comments on one plan element, in memory or stored).
``docs/authoring.md`` shows each with an example. Everything else in this package serves the pages and may
change without notice.

No business rules live here; every user action has a Python twin so tests drive the widgets without a
browser. The widgets are imported on first use (PEP 562): a page that only needs ``widgets._common`` to show
its first control does not wait for the editor's and critique's imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "AnnotationThread": ".annotation_thread",
    "CaseViewer": ".case_viewer",
    "CritiquePanel": ".critique_panel",
    "DraftEditor": ".authoring",
    "MeasuresPlot": ".measures_plot",
    "PlanCompare": ".plan_compare",
    "PlanEditor": ".plan_editor",
    "connect_critique": ".critique_panel",
    "critique_for": ".authoring",
}
__all__ = [
    "AnnotationThread",
    "CaseViewer",
    "CritiquePanel",
    "DraftEditor",
    "MeasuresPlot",
    "PlanCompare",
    "PlanEditor",
    "connect_critique",
    "critique_for",
]

if TYPE_CHECKING:  # for type checkers and editors; at run time each is imported on first use
    from .annotation_thread import AnnotationThread
    from .authoring import DraftEditor, critique_for
    from .case_viewer import CaseViewer
    from .critique_panel import CritiquePanel, connect_critique
    from .measures_plot import MeasuresPlot
    from .plan_compare import PlanCompare
    from .plan_editor import PlanEditor


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
