"""Small hand-built plans of the college case for the comparison tests."""

from __future__ import annotations

import pytest

from itp_toolkit.model import CaseStudy, Goal, Intervention, Objective, Problem, StrengthUse, TreatmentPlan
from tests.conftest import shipped_case


@pytest.fixture(scope="session")
def college() -> CaseStudy:
    return shipped_case("case-college-anxiety")


def make_plan(case_id: str, pid: str, problems: list[Problem], **kwargs) -> TreatmentPlan:
    return TreatmentPlan(id=f"plan-{pid}", case_id=case_id, problems=problems, **kwargs)


def panic_problem(
    suffix: str,
    statement: str,
    *,
    concerns=(),
    modality="CBT for panic disorder with interoceptive exposure",
    measure="GAD-7",
) -> Problem:
    return Problem(
        id=f"prb-panic{suffix}",
        statement=statement,
        concern_ids=list(concerns),
        goals=[
            Goal(
                id=f"gol-exam{suffix}",
                statement="Sit through a whole exam without leaving the room",
                objectives=[
                    Objective(
                        id=f"obj-gad{suffix}",
                        description="GAD-7 below the clinical cut-off",
                        measure=measure,
                        baseline=16,
                        target=9,
                        target_week=10,
                        interventions=[
                            Intervention(
                                id=f"int-cbt{suffix}",
                                modality=modality,
                                description="Interoceptive exposure built from her lecture attacks",
                                frequency="weekly",
                                responsible_role="trainee therapist",
                            )
                        ],
                    )
                ],
            )
        ],
    )


def sleep_problem(suffix: str, statement: str, *, concerns=()) -> Problem:
    return Problem(
        id=f"prb-sleep{suffix}",
        statement=statement,
        concern_ids=list(concerns),
        goals=[
            Goal(
                id=f"gol-sleep{suffix}",
                statement="Fall asleep within half an hour on school nights",
                objectives=[
                    Objective(
                        id=f"obj-sleep{suffix}",
                        description="Nights a week asleep within 30 minutes (sleep diary)",
                        measure="nights asleep within 30 minutes",
                        baseline=2,
                        target=5,
                        target_week=8,
                        interventions=[
                            Intervention(
                                id=f"int-cbti{suffix}",
                                modality="Brief CBT for insomnia (group)",
                                description="Stimulus control and a caffeine cut-off at 2 pm",
                                frequency="weekly",
                                responsible_role="group leader",
                            )
                        ],
                    )
                ],
            )
        ],
    )


def mood_problem(suffix: str, statement: str) -> Problem:
    return Problem(
        id=f"prb-mood{suffix}",
        statement=statement,
        goals=[
            Goal(
                id=f"gol-mood{suffix}",
                statement="Stop calling herself stupid after a low mark",
                objectives=[
                    Objective(
                        id=f"obj-mood{suffix}",
                        description="PHQ-9 in the mild range",
                        measure="PHQ-9",
                        baseline=13,
                        target=6,
                        target_week=12,
                        interventions=[
                            Intervention(
                                id=f"int-ba{suffix}",
                                modality="Behavioural activation",
                                description="Running with her roommate twice a week",
                                frequency="weekly",
                                responsible_role="trainee therapist",
                                linked_facts=["s-running", "s-roommate"],
                            )
                        ],
                    )
                ],
            )
        ],
    )


def strengths(suffix: str, *ids: str) -> list[StrengthUse]:
    return [StrengthUse(id=f"stu-{i}{suffix}", strength_id=i, how=f"uses {i}") for i in ids]
