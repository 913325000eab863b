"""The critique pipeline: every rule family, in order, over one plan and its case.

Order matters only for ties: findings are sorted by severity, then plan order, and otherwise keep the
pipeline's order (structure first, then safety, SMART details, measures, individualization, feasibility,
collaboration, revision). Checks are pure: they read the plan and never change it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..model import CaseStudy, TreatmentPlan
from . import collab, feasibility, individual, linkage, measure, revision, safety, smart
from .context import PlanContext, case_index
from .findings import FAMILIES, RULES, SEVERITY_ORDER, Finding

PIPELINE: tuple[tuple[str, Callable[[PlanContext], Iterator[Finding]]], ...] = (
    ("linkage", linkage.check),
    ("safety", safety.check),
    ("smart", smart.check),
    ("measure", measure.check),
    ("individual", individual.check),
    ("feasibility", feasibility.check),
    ("collab", collab.check),
    ("revision", revision.check),
)
assert {name for name, _ in PIPELINE} == set(FAMILIES)


class CritiqueConfig(BaseModel):
    """Which rules to leave out: rule ids ('smart.no_target_date') or whole families ('feasibility')."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    disabled: frozenset[str] = Field(default_factory=frozenset)

    @field_validator("disabled", mode="before")
    @classmethod
    def _known(cls, value: Iterable[str]) -> frozenset[str]:
        if isinstance(value, str):
            value = [value]
        out = set()
        for item in value:
            key = str(item).strip().rstrip(".")
            if key not in RULES and key not in FAMILIES:
                raise ValueError(f"unknown rule or family {item!r}; families: {', '.join(FAMILIES)}")
            out.add(key)
        return frozenset(out)

    def enabled(self, rule_id: str) -> bool:
        return rule_id not in self.disabled and rule_id.split(".", 1)[0] not in self.disabled


DEFAULT_CONFIG = CritiqueConfig()


def critique(
    plan: TreatmentPlan,
    case: CaseStudy,
    *,
    config: CritiqueConfig | None = None,
    peers: Iterable[TreatmentPlan] | None = None,
    week: int | None = None,
) -> list[Finding]:
    """Every finding on ``plan`` for ``case`` at exercise ``week`` (default: the plan's own week)."""
    config = config or DEFAULT_CONFIG
    ctx = PlanContext(
        plan=plan,
        case=case,
        index=case_index(case),
        week=plan.written_at_week if week is None else week,
        peers=tuple(peers or ()),
    )
    findings: list[Finding] = []
    for family, check in PIPELINE:
        if family in config.disabled:
            continue
        findings.extend(f for f in check(ctx) if config.enabled(f.rule))
    order = ctx.order
    return sorted(
        findings,
        key=lambda f: (
            SEVERITY_ORDER[f.severity],
            -1 if f.element_id is None else order.get(f.element_id, len(order)),
        ),
    )
