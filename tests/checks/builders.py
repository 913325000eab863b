"""Small in-test cases and plans for the critique tests, built in Python so each test shows its facts."""

from __future__ import annotations

from itp_toolkit.model import (
    Barrier,
    BarrierPlan,
    CaseStudy,
    Demographics,
    Diagnosis,
    DischargeCriterion,
    Goal,
    Intervention,
    MeasurePoint,
    Objective,
    Participation,
    PresentingConcern,
    Problem,
    Quote,
    Review,
    RiskSummary,
    Strength,
    StrengthUse,
    TimelineEvent,
    TreatmentPlan,
)


def make_case(**overrides) -> CaseStudy:
    """A depressed nurse on night shifts with a transport barrier, a sister who walks with her, and a job loss
    at week 6 that pushes her PHQ-9 up."""
    data = dict(
        id="case-test-nurse",
        title="Night-shift nurse with low mood",
        setting="community clinic, 40 minutes by bus",
        demographics=Demographics(age=34, gender="woman", pronouns="she/her", occupation="nurse"),
        presenting_concerns=[
            PresentingConcern(
                id="c-mood",
                summary="Low mood and loss of interest for 3 months",
                frequency_intensity="low most days; stopped choir practice; cries after shifts",
            ),
            PresentingConcern(
                id="c-sleep",
                summary="Sleeps 4 hours between night shifts",
                frequency_intensity="4-5 hours on work days, 5 nights a week",
            ),
        ],
        history="Two years of night shifts after a divorce.",
        cultural_social_context="Filipino Catholic family; sings in the parish choir; sends money home to "
        "her "
        "mother in Manila every month.",
        formulation="Shift work and isolation maintain low mood.",
        working_diagnosis=[
            Diagnosis(label="Major depressive disorder, single episode, moderate", code="F32.1")
        ],
        strengths=[
            Strength(
                id="s-sister", text="Sister lives nearby and offers to walk with her", kind="natural_support"
            ),
            Strength(id="s-choir", text="Loves singing in the parish choir", kind="value"),
        ],
        barriers=[
            Barrier(id="b-bus", text="No car; the clinic is 40 minutes by bus", kind="transport"),
            Barrier(id="b-shifts", text="Works nights and sleeps in the day", kind="work_hours"),
        ],
        patient_words=[
            Quote(id="q-hope", text="I want to sing again without crying", kind="hope"),
            Quote(id="q-tired", text="I'm just so tired all the time", kind="complaint"),
        ],
        risk=RiskSummary(level="low", summary="Passive thoughts last month, none now; no plan or intent."),
        measures=[MeasurePoint(instrument="PHQ-9", week=0, score=17)],
        timeline=[
            TimelineEvent(
                id="e-job",
                week=6,
                title="Loses her job after a ward closure",
                description="The ward closes and she is let go.",
                measures=[MeasurePoint(instrument="PHQ-9", week=6, score=21)],
            ),
        ],
    )
    data.update(overrides)
    return CaseStudy(**data)


def strong_plan(**overrides) -> TreatmentPlan:
    """A plan that uses her facts: choir, sister, evening telehealth, her words, published PHQ-9 targets."""
    data = dict(
        id="plan-test-strong",
        case_id="case-test-nurse",
        written_at_week=0,
        problems=[
            Problem(
                id="prb-mood",
                statement="Depressed mood after two years of night shifts",
                evidenced_by="PHQ-9 17; stopped choir practice; cries after most shifts",
                concern_ids=["c-mood"],
                goals=[
                    Goal(
                        id="gol-sing",
                        statement="I want to sing again without crying",
                        in_patient_words=True,
                        patient_quote_id="q-hope",
                        objectives=[
                            Objective(
                                id="obj-phq",
                                description="PHQ-9 falls from 17 to 8 or lower (response)",
                                measure="PHQ-9",
                                baseline=17,
                                target=8,
                                target_week=12,
                                remeasure_every_weeks=2,
                                interventions=[
                                    Intervention(
                                        id="int-ba",
                                        description="Behavioural activation built around choir and walks",
                                        modality="behavioural activation",
                                        delivery="telehealth",
                                        frequency="weekly",
                                        duration="12 sessions",
                                        time_of_day="evening",
                                        responsible_role="trainee therapist",
                                        linked_facts=["b-bus", "b-shifts"],
                                    )
                                ],
                            ),
                            Objective(
                                id="obj-walk",
                                description="Walks with her sister 3 mornings a week after shifts",
                                measure="walks per week",
                                baseline=0,
                                target=3,
                                target_week=6,
                                linked_facts=["s-sister"],
                                interventions=[
                                    Intervention(
                                        id="int-walk",
                                        description="Plan morning walks with her sister in session",
                                        delivery="telehealth",
                                        frequency="weekly",
                                        time_of_day="evening",
                                        responsible_role="trainee therapist",
                                        linked_facts=["s-sister"],
                                    )
                                ],
                            ),
                        ],
                    )
                ],
            ),
            Problem(
                id="prb-sleep",
                statement="Short sleep between night shifts",
                evidenced_by="4-5 hours of sleep on 5 work days a week",
                concern_ids=["c-sleep"],
                goals=[
                    Goal(
                        id="gol-sleep",
                        statement="Sleep 6 hours after each night shift",
                        linked_facts=["q-tired"],
                        objectives=[
                            Objective(
                                id="obj-sleep",
                                description="Sleeps 6 hours after night shifts, by sleep diary",
                                measure="hours slept after a shift",
                                baseline=4.5,
                                target=6,
                                target_week=8,
                                interventions=[
                                    Intervention(
                                        id="int-sleep",
                                        description=(
                                            "CBT-I for shift work: blackout curtains and anchor sleep"
                                        ),
                                        modality="CBT-I",
                                        delivery="telehealth",
                                        frequency="every 2 weeks",
                                        time_of_day="evening",
                                        responsible_role="trainee therapist",
                                    )
                                ],
                            )
                        ],
                    )
                ],
            ),
        ],
        strengths_used=[
            StrengthUse(
                id="stu-choir",
                strength_id="s-choir",
                how="Rejoins parish choir rehearsal as a weekly activation goal",
            )
        ],
        barriers=[
            BarrierPlan(id="bar-bus", barrier_id="b-bus", mitigation="Telehealth sessions from home"),
            BarrierPlan(
                id="bar-shift", barrier_id="b-shifts", mitigation="Evening sessions before her shift"
            ),
        ],
        safety_plan="Ask PHQ-9 item 9 each session; crisis line 988 on her phone.",
        discharge_criteria=[
            DischargeCriterion(id="dis-1", text="PHQ-9 below 10 for 4 weeks and back at choir")
        ],
        participation=Participation(
            patient_participated=True,
            agreement_recorded=True,
            copy_given=True,
            note="She chose the choir goal and the evening time, after her Sunday call to her mother "
            "in Manila",
        ),
        review=Review(review_week=8, early_review_triggers=["PHQ-9 rises 5 points", "job change"]),
    )
    data.update(overrides)
    return TreatmentPlan(**data)


def rules_of(findings, severities=("problem", "warning")) -> set[str]:
    return {f.rule for f in findings if f.severity in severities}
