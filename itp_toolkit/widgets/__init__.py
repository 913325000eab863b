"""The trainee's widgets: thin compositions over ``itp_toolkit.views`` and ``itp_toolkit.editing``.

No business rules live here; every user action has a Python twin so tests drive the widgets without a
browser. Autosave, revision history, feedback and submission are composed on top by the app layer.
"""

from .case_viewer import CaseViewer
from .critique_panel import CritiquePanel, connect_critique
from .plan_editor import ElementCard, PlanEditor

__all__ = ["CaseViewer", "CritiquePanel", "ElementCard", "PlanEditor", "connect_critique"]
