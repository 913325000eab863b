"""Plan critique: live, explainable feedback on a draft against its patient.

``critique(plan, case)`` runs every rule family (one module each) and returns findings sorted by severity
and plan order; ``individualization_score(plan, case)`` says how much of this person the plan uses.
Rules are registered with their rationale and source in ``RULES``; ``docs/critique-rules.md`` is generated
from that registry (``python -m itp_toolkit.checks.ruledoc``).
"""

from .findings import FAMILIES, RULES, Finding, Rule, Severity
from .pipeline import CritiqueConfig, critique
from .score import IndividualizationScore, ScoreComponent, individualization_score

__all__ = [
    "FAMILIES",
    "RULES",
    "CritiqueConfig",
    "Finding",
    "IndividualizationScore",
    "Rule",
    "ScoreComponent",
    "Severity",
    "critique",
    "individualization_score",
]
