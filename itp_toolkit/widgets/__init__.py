"""The trainee's widgets: thin compositions over ``itp_toolkit.views`` and ``itp_toolkit.editing``.

No business rules live here; every user action has a Python twin so tests drive the widgets without a
browser. Autosave, revision history, feedback and submission are composed on top by the app layer.

The widgets are imported on first use (PEP 562): a page that only needs ``widgets._common`` to show its
first control does not wait for the editor's and critique's imports.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "CaseViewer": ".case_viewer",
    "CritiquePanel": ".critique_panel",
    "connect_critique": ".critique_panel",
    "ElementCard": ".plan_editor",
    "PlanEditor": ".plan_editor",
}
__all__ = ["CaseViewer", "CritiquePanel", "ElementCard", "PlanEditor", "connect_critique"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
