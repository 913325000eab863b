"""Individualization: does the plan belong to *this* person?

Uses of the case's strengths, barriers, cultural context and words; a cookie-cutter detector comparing each
goal, objective and intervention with a library of generic planner text (``data/generic_phrases.yaml``) and,
when given, with other trainees' drafts of the same case; and the individualization score.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Objective
from ..model.base import isolate
from .context import PlanContext, cite, empty_mitigation
from .findings import Finding, rule
from .generic import copyable_texts
from .score import individualization_score
from .sources import CARF, CMS, PCCP, TJC
from .text import MIN_COMPARABLE_CHARS, PEER_THRESHOLD, TextIndex, clip

GENERIC_TEXT = rule(
    "individual.generic_text",
    "warning",
    "Library text used without adapting it",
    "Goals and interventions copied from a planner library fit any patient; surveyors cite identical "
    "scripted "
    "goals, and the person does not recognise themselves in them.",
    f"{CMS}; {TJC}; {PCCP} item 9",
)
PEER_DUPLICATE = rule(
    "individual.peer_duplicate",
    "warning",
    "Near-identical to another trainee's draft",
    "Two plans for the same person written independently rarely share wording; identical text suggests "
    "copying "
    "or a shared template rather than clinical reasoning.",
    f"{PCCP} item 9",
)
STRENGTHS_UNUSED = rule(
    "individual.strengths_unused",
    "warning",
    "No case strength is used",
    "Person-centred plans build on strengths and natural supports; a plan that uses none treats only "
    "deficits.",
    f"{CARF}; {CMS}; {PCCP} item 4",
)
BARRIER_UNADDRESSED = rule(
    "individual.barrier_unaddressed",
    "warning",
    "Case barrier has no mitigation",
    "An access or engagement barrier left unplanned is the commonest reason people drop out of care.",
    f"{PCCP} item 8; {CMS}",
)
EMPTY_MITIGATION = rule(
    "individual.empty_mitigation",
    "warning",
    "Barrier plan says nothing about what will be done",
    "Naming a barrier without a mitigation does not help the person get to care.",
    f"{PCCP} item 8",
)
CULTURE_UNUSED = rule(
    "individual.cultural_context_unused",
    "warning",
    "Cultural and social context not reflected",
    "The plan should reflect the person's culture, values and circumstances (faith, family roles, language, "
    "work), "
    "not just their symptoms: a phrase of their context a reader would recognise, not a common word the plan "
    "happens to share with it.",
    f"{CARF}; {CMS} 441.301(c)(1)",
)
LOW_SCORE = rule(
    "individual.low_individualization",
    "warning",
    "Low individualization score",
    "A low score means the plan uses few of this person's facts; see the score's breakdown for what to add.",
    f"{PCCP} item 9 (ITP Toolkit individualization score)",
)

LOW_SCORE_BELOW = 40
"""Individualization scores below this are a warning."""


def check(ctx: PlanContext) -> Iterator[Finding]:
    plan, index = ctx.plan, ctx.index
    case_hint = _case_hint(ctx)
    for g in ctx.generic:
        if g.kind == "Objective" and _unmeasured(ctx, g.element_id):
            # A vague objective with nothing to count ('Improve sleep') is one cause, reported once: the
            # SMART check's 'no measure' asks for the same rewrite (an observable behaviour, a number, a
            # week). Stock wording alone is no sign of copying in a phrase this short and this common.
            continue
        yield GENERIC_TEXT.finding(
            g.element_id,
            f"{g.kind} '{isolate(g.text)}' is library text ({round(g.similarity * 100)}% like "
            f"'{isolate(g.phrase)}').",
            f"Rewrite it for this person: {case_hint}",
        )

    if ctx.peers:
        peer_texts = [t for peer in ctx.peers if peer.id != plan.id for _, _, t in copyable_texts(peer)]
        peer_index = TextIndex(peer_texts)
        for element_id, kind, text in copyable_texts(plan):
            if len(text) < MIN_COMPARABLE_CHARS:
                continue
            i, score = peer_index.best(text)
            if i >= 0 and score >= PEER_THRESHOLD:
                yield PEER_DUPLICATE.finding(
                    element_id,
                    f"{kind} '{isolate(text)}' is near-identical ({round(score * 100)}%) to text in another "
                    "trainee's draft of this case.",
                    "Write it from your own formulation of this person: their words, numbers and supports.",
                )

    if not ctx.used_strengths:
        yield STRENGTHS_UNUSED.finding(
            None,
            "The plan does not use any of the case's strengths or natural supports.",
            "Build one in, e.g. "
            + "; ".join(f"'{isolate(s.text)}'" for s in list(index.strengths.values())[:3])
            + ".",
            [cite(s) for s in index.strengths.values()],
        )

    addressed = ctx.addressed_barriers
    for barrier in ctx.barriers_in_force:
        if barrier.id not in addressed:
            yield BARRIER_UNADDRESSED.finding(
                None,
                f"Barrier '{isolate(barrier.text)}' ({barrier.kind.replace('_', ' ')}) has no mitigation in "
                "the plan.",
                "Add a plan for this barrier saying what will be done, e.g. "
                + _BARRIER_IDEAS.get(barrier.kind, "agree a practical step with the person")
                + ".",
                [cite(barrier)],
                subject=barrier.id,
            )
    for item in plan.barriers:
        if empty_mitigation(item.mitigation):
            fact = index.barriers.get(item.barrier_id or "")
            yield EMPTY_MITIGATION.finding(
                item.id,
                f"Barrier plan for '{isolate(fact.text if fact else item.barrier or 'a barrier')}' has no "
                "mitigation.",
                "Say what will be done: "
                + _BARRIER_IDEAS.get(fact.kind if fact else "other", "a practical step")
                + ".",
                [cite(fact)] if fact else [],
            )

    if index.cultural_phrases and not ctx.cultural_phrases_used:
        yield CULTURE_UNUSED.finding(
            None,
            "Nothing in the plan reflects the case's cultural and social context.",
            "Bring it in where it matters to care (their family, faith, work, money, how they live), in "
            "words "
            "they would recognise: " + clip(ctx.case.cultural_social_context, 200),
            ["Cultural and social context: " + clip(ctx.case.cultural_social_context, 160)],
        )

    result = individualization_score(plan, ctx.case, _ctx=ctx)
    if result.score < LOW_SCORE_BELOW:
        # Components another finding already names are not repeated here (one finding per cause).
        reported = {
            "strengths used": not ctx.used_strengths,
            "barriers mitigated": bool(set(index.barriers) - ctx.addressed_barriers),
            "cultural context reflected": bool(index.cultural_phrases) and not ctx.cultural_phrases_used,
            "generic-text penalty": bool(ctx.generic),
        }
        weakest = [
            c
            for c in sorted(result.breakdown, key=lambda c: c.points - c.max_points)
            if not reported.get(c.name) and c.points < c.max_points
        ][:2]
        if weakest:
            yield LOW_SCORE.finding(
                None,
                f"Individualization score {result.score}/100: the plan uses few of this person's facts.",
                "Most room to gain: " + "; ".join(f"{c.name} ({c.detail})" for c in weakest) + ".",
                list(result.facts_ignored[:5]),
            )


_BARRIER_IDEAS = {
    "transport": "telehealth or phone sessions, transport vouchers, or sessions bundled with other "
    "appointments",
    "cost": "a sliding-scale fee, group sessions, or free community and peer supports",
    "waitlist": "a bridge while waiting: a group, peer support, guided self-help, or check-in calls",
    "work_hours": "evening or weekend slots, or brief telehealth sessions at lunch",
    "childcare": "home visits, telehealth during nap time, or on-site childcare",
    "language": "a professional interpreter or a clinician who speaks the person's language",
    "housing": "case management and a referral for housing support",
    "digital_access": "phone sessions, a loaned device, or in-person sessions",
    "stigma": "discreet scheduling, normalizing psychoeducation, or peer support",
    "ambivalence": "motivational interviewing and goals the person chooses",
    "mistrust": "collaborative goal-setting, transparency about records, and a culturally matched clinician "
    "if wanted",
}


def _unmeasured(ctx: PlanContext, element_id: str) -> bool:
    """Whether this objective is a measured objective with no measure (the SMART family's finding)."""
    obj = ctx.plan.element(element_id)
    return isinstance(obj, Objective) and obj.kind == "measured" and not obj.measure.strip()


def _case_hint(ctx: PlanContext) -> str:
    bits = []
    quote = next(iter(ctx.index.quotes.values()), None)
    if quote:
        bits.append(f"use their words ('{isolate(quote.text)}')")
    strength = next(iter(ctx.index.strengths.values()), None)
    if strength:
        bits.append(f"a strength ('{isolate(strength.text)}')")
    bits.append("an observable behaviour with a number and a week")
    return ", ".join(bits) + "."
