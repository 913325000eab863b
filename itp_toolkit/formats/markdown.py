"""Plans as printable Markdown, for the chart, the supervision file or a signature.

Trainee text is untrusted: it is escaped so that the Markdown stays Markdown when a viewer renders it to
HTML (no raw tags, no links smuggled in through a goal statement).
"""

from __future__ import annotations

import contextlib
import re

from ..model import CaseStudy, Objective, TreatmentPlan
from ..model.measures import is_standard_measure, severity_label

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~])")


def md_text(text: str) -> str:
    """Escape untrusted text for Markdown: HTML tags and Markdown syntax are shown literally."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.splitlines())


def _target_line(obj: Objective) -> str:
    if obj.kind == "completion":
        due = [f"week {obj.target_week}"] if obj.target_week is not None else []
        due += [obj.target_date.isoformat()] if obj.target_date is not None else []
        parts = ["a one-off step: done by " + " / ".join(due) if due else "a one-off step with no date yet"]
        parts.append(f"who: {md_text(obj.who)}" if obj.who else "who: not said yet")
        return "; ".join(parts)
    parts = []
    if obj.measure:
        parts.append(f"measure: {md_text(obj.measure)}")
    if obj.baseline is not None:
        base = f"baseline {obj.baseline:g}"
        if is_standard_measure(obj.measure):
            with contextlib.suppress(ValueError):  # a score outside the instrument's bands: no label
                base += f" ({severity_label(obj.measure, obj.baseline)})"
        parts.append(base)
    if obj.target is not None:
        parts.append(f"target {obj.target:g}")
    if obj.target_week is not None:
        parts.append(f"by week {obj.target_week}")
    if obj.target_date is not None:
        parts.append(f"by {obj.target_date.isoformat()}")
    if obj.remeasure_every_weeks:
        parts.append(f"re-measured every {obj.remeasure_every_weeks} week(s)")
    return "; ".join(parts) if parts else "no measure, target or date yet"


def plan_to_markdown(plan: TreatmentPlan, case: CaseStudy | None = None) -> str:
    """A printable plan: problems, goals, objectives and interventions, then the plan's frame."""
    fact_text: dict[str, str] = (
        {
            f.id: str(getattr(f, "text", None) or getattr(f, "summary", None) or getattr(f, "title", ""))
            for f in case.facts()
        }
        if case
        else {}
    )

    def facts(ids: list[str]) -> str:
        if not ids:
            return ""
        return " — uses: " + "; ".join(md_text(fact_text.get(i, i)) for i in ids)

    out: list[str] = []
    title = plan.title or (case.title if case else plan.case_id)
    out.append(f"# Individualized Treatment Plan: {md_text(title)}")
    out.append("")
    out.append(f"Case `{plan.case_id}` · plan `{plan.id}` · reflects week {plan.written_at_week}")
    if plan.diagnoses:
        out.append("")
        out.append(
            "**Working diagnosis:** "
            + "; ".join(
                md_text(d.label)
                + (f" ({md_text(d.code)})" if d.code else "")
                + (" — provisional" if d.provisional else "")
                for d in plan.diagnoses
            )
        )
    for n, problem in enumerate(plan.problems, start=1):
        out += ["", f"## Problem {n}: {md_text(problem.statement)}"]
        if problem.evidenced_by:
            out.append(f"*As evidenced by* {md_text(problem.evidenced_by)}{facts(problem.linked_facts)}")
        for g, goal in enumerate(problem.goals, start=1):
            quote = " *(in the person's own words)*" if goal.in_patient_words or goal.patient_quote_id else ""
            out += ["", f"### Goal {n}.{g}: {md_text(goal.statement)}{quote}"]
            for o, obj in enumerate(goal.objectives, start=1):
                out.append(
                    f"- **Objective {n}.{g}.{o}:** {md_text(obj.description)}{facts(obj.linked_facts)}"
                )
                out.append(f"  - {_target_line(obj)}")
                for intervention in obj.interventions:
                    details = ", ".join(
                        md_text(x)
                        for x in (
                            intervention.modality,
                            intervention.format.replace("_", " "),
                            intervention.delivery.replace("_", " "),
                            intervention.frequency,
                            intervention.duration,
                            intervention.time_of_day or "",
                            intervention.responsible_role,
                        )
                        if x
                    )
                    out.append(
                        f"  - Intervention: {md_text(intervention.description)} "
                        f"({details}){facts(intervention.linked_facts)}"
                    )
    if plan.deferred_concerns:
        out += ["", "## Deferred concerns"]
        out += [
            f"- {md_text(fact_text.get(d.concern_id, d.concern_id))}: {md_text(d.reason)}"
            for d in plan.deferred_concerns
        ]
    if plan.strengths_used:
        out += ["", "## Strengths and supports used"]
        out += [
            f"- {md_text(fact_text.get(s.strength_id or '', '') or 'Strength')}: {md_text(s.how)}"
            for s in plan.strengths_used
        ]
    if plan.barriers:
        out += ["", "## Barriers and mitigations"]
        out += [
            f"- {md_text(fact_text.get(b.barrier_id or '', '') or b.barrier)} → {md_text(b.mitigation)}"
            for b in plan.barriers
        ]
    if plan.safety_plan:
        out += ["", "## Safety", md_text(plan.safety_plan)]
    if plan.discharge_criteria:
        out += ["", "## Discharge criteria"]
        out += [f"- {md_text(d.text)}" for d in plan.discharge_criteria]
    review = plan.review
    out += ["", "## Review"]
    when = []
    if review.review_week is not None:
        when.append(f"week {review.review_week}")
    if review.review_date is not None:
        when.append(review.review_date.isoformat())
    out.append("Next review: " + (" / ".join(when) if when else "not set"))
    if review.early_review_triggers:
        out.append("Review early if: " + "; ".join(md_text(t) for t in review.early_review_triggers))
    p = plan.participation
    out += [
        "",
        "## Participation and agreement",
        f"- Took part in writing the plan: {'yes' if p.patient_participated else 'no'}",
        f"- Agreement recorded: {'yes' if p.agreement_recorded else 'no'}",
        f"- Copy given: {'yes' if p.copy_given else 'no'}",
    ]
    if p.note:
        out.append(f"- {md_text(p.note)}")
    out += [
        "",
        "Signature (person): ______________________    Signature (clinician): ______________________",
        "",
    ]
    return "\n".join(out)
