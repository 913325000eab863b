"""Whole pages, composed from the widgets: what the notebooks in ``notebooks/`` display.

Imported lazily (PEP 562): a trainee page's kernel never pays for the supervisor page's imports (pandas,
the comparison code), which would delay the moment the page can be used.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "TraineeWorkspace": ".trainee",
    "trainee_workspace": ".trainee",
    "supervisor_review": ".supervisor",
    "facilitator_page": ".workshop",
    "progress_page": ".workshop",
    "debrief_page": ".workshop",
    "landing_page": ".landing",
    "admin_page": ".admin",
    "case_library_page": ".landing",
}
__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
