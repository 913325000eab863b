"""Structure and coverage: problem -> goal -> objective -> intervention, every assessed need addressed or
deferred, and links that point at real case facts. (Risk is the safety family's.)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..library.vocabulary import concern_groups
from ..model import PresentingConcern
from ..model.base import isolate
from .context import PlanContext, cite, empty_mitigation
from .findings import Finding, rule
from .sources import CARF, CMS, PCCP, TJC

NO_PROBLEMS = rule(
    "linkage.no_problems",
    "problem",
    "Plan has no problems",
    "A plan without problems addresses none of the assessed needs.",
    f"{TJC}; {CARF}",
)
PROBLEM_WITHOUT_GOAL = rule(
    "linkage.problem_without_goal",
    "problem",
    "Problem has no goal",
    "Every problem needs a goal saying where treatment is heading.",
    f"{CARF}; {PCCP} item 1",
)
GOAL_WITHOUT_OBJECTIVE = rule(
    "linkage.goal_without_objective",
    "problem",
    "Goal has no objective",
    "A goal without short-term objectives has no measurable steps, so progress cannot be reviewed.",
    f"{TJC}; {PCCP} item 5",
)
OBJECTIVE_WITHOUT_INTERVENTION = rule(
    "linkage.objective_without_intervention",
    "problem",
    "Objective has no intervention",
    "Each objective needs something the team will do to help reach it; surveyors check interventions are "
    "linked.",
    f"{TJC}; {PCCP} item 6",
)
NO_EVIDENCE = rule(
    "linkage.problem_without_evidence",
    "warning",
    "Problem has no 'as evidenced by'",
    "A problem is stated with the observable behaviour that shows it; a label alone does not support the "
    "diagnosis.",
    f"{PCCP} item 1; Jongsma PracticePlanners",
)
ORPHAN_FACT = rule(
    "linkage.orphan_fact",
    "warning",
    "Link to a case fact that does not exist",
    "A link to an id that is not in this case (a typo, or text copied from another case) links to nothing.",
    "ITP Toolkit data integrity",
)
CONCERN_UNADDRESSED = rule(
    "linkage.concern_unaddressed",
    "problem",
    "Presenting concern neither addressed nor deferred",
    "Every assessed need must be addressed in the plan or explicitly deferred with a reason.",
    f"{CARF}; {CMS}; {PCCP} item 2",
)
DEFERRAL_WITHOUT_REASON = rule(
    "linkage.deferral_without_reason",
    "warning",
    "Deferred concern without a reason",
    "A deferral is a clinical decision; the reason (and when it will be revisited) must be recorded.",
    f"{CARF}; {PCCP} item 2",
)
INTERVENTION_INCOMPLETE = rule(
    "linkage.intervention_incomplete",
    "warning",
    "Intervention lacks frequency or responsible role",
    "Interventions state modality, frequency and who is responsible, so the person knows what to expect and "
    "the "
    "team knows who does it.",
    f"{TJC}; {CMS}; {PCCP} item 6",
)


def check(ctx: PlanContext) -> Iterator[Finding]:
    plan, index = ctx.plan, ctx.index
    if not plan.problems:
        yield NO_PROBLEMS.finding(
            None,
            "The plan has no problems yet.",
            "Start with the presenting concerns: "
            + "; ".join(f"'{isolate(c.summary)}'" for c in ctx.case.presenting_concerns)
            + ".",
            [cite(c) for c in ctx.case.presenting_concerns],
        )

    for problem in plan.problems:
        name = f"Problem '{isolate(problem.statement)}'"
        if not problem.goals:
            yield PROBLEM_WITHOUT_GOAL.finding(
                problem.id, f"{name} has no goal.", "Add a long-term goal, ideally in the person's own words."
            )
        if not problem.evidenced_by.strip():
            concerns = [index.facts[c] for c in problem.concern_ids if c in index.facts]
            detail = "; ".join(
                c.frequency_intensity
                for c in concerns
                if isinstance(c, PresentingConcern) and c.frequency_intensity
            )
            yield NO_EVIDENCE.finding(
                problem.id,
                f"{name} has no 'as evidenced by' behaviour.",
                f"Describe what is observed, e.g. from the case: {detail}."
                if detail
                else "Describe the observable behaviour: how often, how severe, what the person reports.",
                [cite(c) for c in concerns],
            )
        for goal in problem.goals:
            if not goal.objectives:
                yield GOAL_WITHOUT_OBJECTIVE.finding(
                    goal.id,
                    f"Goal '{isolate(goal.statement)}' has no objective.",
                    "Add at least one measurable, dated step toward this goal.",
                )
            for obj in goal.objectives:
                if not obj.interventions:
                    yield OBJECTIVE_WITHOUT_INTERVENTION.finding(
                        obj.id,
                        f"Objective '{isolate(obj.description)}' has no intervention.",
                        "Add what the team will do (modality, frequency, who) to help reach it.",
                    )
                for item in obj.interventions:
                    missing = [
                        label
                        for label, value in (
                            ("frequency", item.frequency),
                            ("responsible role", item.responsible_role),
                        )
                        if not value.strip()
                    ]
                    if missing:
                        yield INTERVENTION_INCOMPLETE.finding(
                            item.id,
                            f"Intervention '{isolate(item.description)}' has no {' and no '.join(missing)}.",
                            "Say how often (e.g. 'weekly for 8 weeks') and who delivers it "
                            "(e.g. 'trainee therapist', 'peer specialist').",
                        )

    yield from _orphans(ctx)

    addressed = addressed_concerns(ctx)
    deferred = {d.concern_id for d in plan.deferred_concerns}
    for concern in ctx.case.presenting_concerns:
        if concern.id not in addressed and concern.id not in deferred:
            yield CONCERN_UNADDRESSED.finding(
                None,
                f"Presenting concern '{isolate(concern.summary)}' is neither addressed by a problem nor "
                "deferred.",
                "Add a problem for it (and link this concern to the problem), or defer it with a reason and "
                "say "
                "when it will be revisited.",
                [cite(concern)],
                subject=concern.id,
            )
    for deferral in plan.deferred_concerns:
        if empty_mitigation(deferral.reason):  # blank, or 'Later.', 'TBD': no reason
            fact = index.facts.get(deferral.concern_id)
            if not isinstance(fact, PresentingConcern):  # a strength's id is no concern either
                fact = None
            yield DEFERRAL_WITHOUT_REASON.finding(
                deferral.id,
                "Deferred concern "
                f"'{isolate(fact.summary if fact else 'a concern this case does not have')}' "
                "has no reason.",
                "Say why it waits and when it will be revisited.",
                [cite(fact)] if fact else [],
            )


def addressed_concerns(ctx: PlanContext) -> set[str]:
    """Concerns a problem addresses: linked, or, for a problem that links none, named in its words (the shared
    vocabulary: a 'grief' problem addresses a 'yearning for his wife' concern)."""
    addressed = {c for p in ctx.plan.problems for c in p.concern_ids}
    groups = ctx.index.concern_groups
    for problem in ctx.plan.problems:
        # A problem names what it is about in its statement, whatever it links ('mourning his wife' is about
        # the grief concern even when it is linked to low mood and isolation); a problem that links nothing
        # may name it in its evidence too.
        words = concern_groups(problem.statement)
        if not problem.concern_ids:
            words = words or concern_groups(problem.evidenced_by)
        addressed.update(cid for cid, g in groups.items() if g & words)
    return addressed


def _orphans(ctx: PlanContext) -> Iterator[Finding]:
    known = ctx.index.facts
    for element, refs in ctx.refs:
        missing = [r for r in dict.fromkeys(refs) if r not in known]
        if missing:
            n = len(missing)
            yield ORPHAN_FACT.finding(
                element.id,
                f"{_label(element)} links to {'a case fact' if n == 1 else f'{n} case facts'} this case does "
                "not have (copied from another case, or removed from this one).",
                "Remove the link, or link the fact you meant from this case's strengths, barriers, quotes or "
                "concerns.",
            )
    missing_events = [e for e in ctx.plan.revised_for_events if e not in ctx.index.event_ids]
    if missing_events:
        n = len(missing_events)
        yield ORPHAN_FACT.finding(
            None,
            f"The plan says it was revised for {'an event' if n == 1 else f'{n} events'} not on this case's "
            "timeline.",
            "Untick it under the events this revision takes into account, and tick the events of this case "
            "the plan now reflects.",
        )


def _label(element) -> str:
    kind = type(element).__name__
    text = next(
        (
            getattr(element, a)
            for a in ("statement", "description", "how", "text", "mitigation", "reason")
            if getattr(element, a, None)
        ),
        "(not written yet)",
    )
    names = {
        "StrengthUse": "Strength use",
        "BarrierPlan": "Barrier plan",
        "DischargeCriterion": "Discharge criterion",
    }
    return f"{names.get(kind, kind)} '{isolate(text)}'"
