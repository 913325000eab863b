"""Pure presentation functions: what each widget shows, computed without a browser or ipywidgets.

Widgets render these results and forward events; tests call these directly. Text comes back raw (it is
case or trainee text): whoever puts it in HTML must escape it.
"""

from .case import FactChoice, Section, case_sections, fact_choices, fact_label, revealed_events
from .critique import FAMILY_TITLES, FindingGroup, critique_groups, severity_totals, split_dismissed
from .measures import Series, figure_png, measure_plot, measure_series
from .plan import OutlineRow, plan_outline

__all__ = [
    "FAMILY_TITLES",
    "FactChoice",
    "FindingGroup",
    "OutlineRow",
    "Section",
    "Series",
    "case_sections",
    "critique_groups",
    "fact_choices",
    "fact_label",
    "figure_png",
    "measure_plot",
    "measure_series",
    "plan_outline",
    "revealed_events",
    "severity_totals",
    "split_dismissed",
]
