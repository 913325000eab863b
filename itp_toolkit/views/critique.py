"""Critique findings arranged for the trainee's panel: grouped by rule family, worst first, with counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..checks.findings import FAMILIES, SEVERITY_ORDER, Finding
from ..model import Dismissal

FAMILY_TITLES: dict[str, str] = {
    "smart": "SMART objectives",
    "linkage": "Links between problems, goals, objectives and interventions",
    "safety": "Safety and risk",
    "measure": "Measurement-based targets",
    "individual": "Individualization",
    "feasibility": "Feasibility, access and barriers",
    "collab": "Participation and collaboration",
    "revision": "Revision for what has happened since",
}
"""Headings in the clinic's words, one per rule family (``checks.findings.FAMILIES``)."""


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one rule family, most severe first, with counts by severity."""

    family: str
    title: str
    findings: tuple[Finding, ...]

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in SEVERITY_ORDER}
        for f in self.findings:
            out[f.severity] += 1
        return out

    @property
    def worst(self) -> str:
        return min((f.severity for f in self.findings), key=SEVERITY_ORDER.__getitem__)

    @property
    def heading(self) -> str:
        """e.g. 'SMART objectives — 2 problems, 1 warning'."""
        parts = []
        for severity, n in self.counts.items():
            if n:
                parts.append(f"{n} {severity}{'' if n == 1 else 's'}")
        return f"{self.title} — {', '.join(parts)}"


def critique_groups(findings: Iterable[Finding]) -> list[FindingGroup]:
    """Non-empty groups: families with a 'problem' first, then by worst severity, then pipeline order.

    Within a group the critique's own order (severity, then plan order) is kept.
    """
    by_family: dict[str, list[Finding]] = {}
    for f in findings:
        by_family.setdefault(f.family, []).append(f)
    order = {family: n for n, family in enumerate(FAMILIES)}
    groups = [
        FindingGroup(
            family,
            FAMILY_TITLES.get(family, family),
            tuple(sorted(items, key=lambda f: SEVERITY_ORDER[f.severity])),
        )
        for family, items in by_family.items()
    ]
    return sorted(groups, key=lambda g: (SEVERITY_ORDER[g.worst], order.get(g.family, len(order))))


def severity_totals(findings: Iterable[Finding]) -> dict[str, int]:
    """How many problems, warnings and infos in all."""
    out = {s: 0 for s in SEVERITY_ORDER}
    for f in findings:
        out[f.severity] += 1
    return out


def split_dismissed(
    findings: Iterable[Finding], dismissals: Iterable[Dismissal]
) -> tuple[list[Finding], list[tuple[Finding, Dismissal]]]:
    """(findings still to act on, findings a supervisor marked 'not applicable here' with their decision).

    A withdrawn decision is simply not passed in; the finding counts again.
    """
    decisions = list(dismissals)
    active: list[Finding] = []
    dismissed: list[tuple[Finding, Dismissal]] = []
    for finding in findings:
        decision = next((d for d in decisions if d.matches(finding)), None)
        if decision is None:
            active.append(finding)
        else:
            dismissed.append((finding, decision))
    return active, dismissed
