"""Collaboration: the person's voice in the goals, their participation and agreement, discharge criteria
they helped set, and a review date.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.base import isolate
from .context import PlanContext, cite
from .findings import Finding, rule
from .sources import CARF, CMS, PCCP, TJC

NO_PATIENT_WORDS = rule(
    "collab.no_patient_words_goal",
    "warning",
    "No goal in the person's own words",
    "Person-centred standards ask for at least one goal in the person's words; it is what they will remember "
    "and work toward.",
    f"{CARF}; {CMS} 441.301(c); {PCCP} item 3",
)
NO_PARTICIPATION = rule(
    "collab.participation_not_recorded",
    "warning",
    "Participation not recorded",
    "The plan should show the person took part in writing it.",
    f"{CMS} 441.301(c)(1); {CARF}; {PCCP} item 12",
)
NO_AGREEMENT = rule(
    "collab.agreement_not_recorded",
    "warning",
    "Agreement not recorded",
    "Agreement (signature or documented consent) is required before the plan is carried out.",
    f"{CMS} 441.301(c)(2)(ix); {TJC}; {PCCP} item 12",
)
NO_DISCHARGE = rule(
    "collab.no_discharge_criteria",
    "warning",
    "No discharge criteria",
    "Observable discharge criteria, discussed with the person, say when treatment has done its job.",
    f"{CARF}; {PCCP} item 11",
)
NO_REVIEW = rule(
    "collab.no_review",
    "warning",
    "No review week or date",
    "Plans are reviewed on a set schedule; without a date the plan drifts.",
    f"{CARF}; {TJC}; {PCCP} item 10",
)
REVIEW_NOT_AHEAD = rule(
    "collab.review_not_ahead",
    "warning",
    "Review week is not after the plan's week",
    "A review set for the week the plan is written (or earlier) schedules nothing.",
    f"{PCCP} item 10",
)
NO_TRIGGERS = rule(
    "collab.no_early_review_triggers",
    "info",
    "No triggers for an earlier review",
    "Naming what prompts an early review (a rising score, a crisis, a life event) makes revision timely.",
    f"{PCCP} item 10",
)


def check(ctx: PlanContext) -> Iterator[Finding]:
    plan, index = ctx.plan, ctx.index
    goals = [g for p in plan.problems for g in p.goals]
    if goals and not any(g.in_patient_words or g.patient_quote_id for g in goals):
        quote = next((q for q in index.quotes.values() if q.kind == "hope"), None) or next(
            iter(index.quotes.values()), None
        )
        yield NO_PATIENT_WORDS.finding(
            None,
            "No goal is written in the person's own words.",
            (
                f'Quote them, e.g. "{isolate(quote.text)}", as a goal and mark it as in their own words.'
                if quote
                else "Ask what they want to be different and write it down as they say it."
            ),
            [cite(quote)] if quote else [],
        )
    if not plan.participation.patient_participated:
        yield NO_PARTICIPATION.finding(
            None,
            "The plan does not record that the person took part in writing it.",
            "Record how they took part, e.g. 'chose the walking goal and the evening time'.",
        )
    if not plan.participation.agreement_recorded:
        yield NO_AGREEMENT.finding(
            None,
            "The person's agreement to the plan is not recorded.",
            "Record their agreement (signature or documented verbal consent) and offer a copy.",
        )
    if not plan.discharge_criteria:
        yield NO_DISCHARGE.finding(
            None,
            "The plan has no discharge criteria.",
            "Agree observable signs with the person, e.g. a score held below the cut-off for 4 weeks plus a "
            "behaviour they named.",
        )
    review = plan.review
    if review.review_week is None and review.review_date is None:
        yield NO_REVIEW.finding(
            None,
            "The plan has no review week or date.",
            f"Set a review at about week {plan.written_at_week + 6}-{plan.written_at_week + 12}.",
        )
    elif review.review_week is not None and review.review_week <= plan.written_at_week:
        yield REVIEW_NOT_AHEAD.finding(
            None,
            f"The review is set for week {review.review_week}, but the plan is written at week "
            f"{plan.written_at_week}.",
            f"Set the review after week {plan.written_at_week}.",
        )
    if not review.early_review_triggers:
        yield NO_TRIGGERS.finding(
            None,
            "The plan names nothing that would prompt an earlier review.",
            "E.g. a rise in score, a crisis, or a change at home or work.",
        )
