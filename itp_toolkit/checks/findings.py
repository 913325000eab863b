"""What a critique returns: findings, and the registry of rules that can produce them.

Every rule is registered once with its metadata (id, family, severity, why it matters, source), so the
rules documentation is generated from the same objects the checks use and cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["problem", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"problem": 0, "warning": 1, "info": 2}
"""Problems first: a surveyor would cite them or they leave a risk unmanaged."""

FAMILIES: tuple[str, ...] = (
    "linkage",
    "safety",
    "smart",
    "measure",
    "individual",
    "feasibility",
    "collab",
    "revision",
)
"""Rule families in pipeline order (one module of ``itp_toolkit.checks`` each)."""


class Finding(BaseModel):
    """One explainable piece of feedback on a draft, tied to a plan element when there is one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str = Field(description="Stable rule id with its family prefix, e.g. 'smart.no_target_date'.")
    severity: Severity = Field(description="problem, warning or info.")
    element_id: str | None = Field(
        default=None, description="The plan element concerned; None for the whole plan."
    )
    message: str = Field(description="What is wrong, in plain language, naming the element.")
    suggestion: str = Field(
        default="", description="A concrete next step, using this case's facts where possible."
    )
    evidence: tuple[str, ...] = Field(
        default=(),
        description="Case facts relied on, by their text (e.g. 'Barrier: no car; the clinic is ...').",
    )
    subject: str | None = Field(
        default=None,
        description="What a whole-plan finding is about: the id of the case fact or timeline event (never "
        "shown; "
        "it lets a supervisor's dismissal name exactly this finding).",
    )

    @property
    def family(self) -> str:
        return self.rule.split(".", 1)[0]


@dataclass(frozen=True)
class Rule:
    """A registered rule: the metadata the documentation is generated from."""

    id: str
    severity: Severity
    title: str
    rationale: str
    source: str

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    def finding(
        self,
        element_id: str | None,
        message: str,
        suggestion: str = "",
        evidence: list[str] | tuple[str, ...] = (),
        subject: str | None = None,
    ) -> Finding:
        return Finding(
            rule=self.id,
            severity=self.severity,
            element_id=element_id,
            message=message,
            suggestion=suggestion,
            evidence=tuple(evidence),
            subject=subject,
        )


RULES: dict[str, Rule] = {}
"""Every rule, by id, in registration (= pipeline) order."""


def rule(id: str, severity: Severity, title: str, rationale: str, source: str) -> Rule:
    """Register a rule; ids are unique and carry a known family prefix."""
    family = id.split(".", 1)[0]
    if family not in FAMILIES or "." not in id:
        raise ValueError(f"rule id {id!r} must start with one of {FAMILIES} and a dot")
    if id in RULES:
        raise ValueError(f"rule {id!r} registered twice")
    registered = Rule(id=id, severity=severity, title=title, rationale=rationale, source=source)
    RULES[id] = registered
    return registered
