"""Course administration in the store, on SQLite and PostgreSQL: rosters (idempotent, all or nothing),
deactivated people, cohort membership, due dates, "My plans" states and the score history's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from itp_toolkit.errors import InvalidInput, PermissionDenied
from itp_toolkit.services.roster import import_roster
from itp_toolkit.store import PlanStore
from itp_toolkit.store.schema import CohortMemberRow, CohortRow, PersonRow

from .conftest import CASE_ID, Clinic, make_plan
from .roster_data import roster_csv


def _counts(store: PlanStore) -> tuple[int, int, int]:
    with store._db.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (PersonRow, CohortRow, CohortMemberRow)
        )


@pytest.fixture
def admin_store(store: PlanStore) -> PlanStore:
    store.ensure_admin("lead", "Programme Lead")
    return store


def test_a_roster_of_40_in_3_cohorts_imports_once_and_again_changes_nothing(admin_store: PlanStore) -> None:
    first = import_roster(admin_store, "roster.csv", actor="lead", data=roster_csv())
    assert len(first.people_added) == 39  # the lead was already there
    assert sorted(first.cohorts_added) == ["Year 1", "Year 2", "Year 3"]
    assert len(first.memberships_added) == 39
    assert _counts(admin_store) == (40, 3, 39)
    again = import_roster(admin_store, "roster.csv", actor="lead", data=roster_csv())
    assert not again.changed
    assert _counts(admin_store) == (40, 3, 39)
    year2 = admin_store.find_cohort("Year 2", actor="lead")
    members = admin_store.list_cohort_members(year2.id, actor="lead")
    assert [m.username for m in members if m.role == "supervisor"] == ["sup1"]
    assert len([m for m in members if m.role == "trainee"]) == 12


def test_a_malformed_roster_changes_nothing_and_names_each_bad_row(admin_store: PlanStore) -> None:
    import_roster(admin_store, "roster.csv", actor="lead", data=roster_csv())
    before = _counts(admin_store)
    bad = roster_csv("newbie,New Trainee,trainee,Year 4\nnot a name,X,trainee,\nt99,,chief,Year 1\n")
    with pytest.raises(InvalidInput) as caught:
        import_roster(admin_store, "bad.csv", actor="lead", data=bad)
    where = [(p.file, p.line, p.field) for p in caught.value.problems]
    assert ("bad.csv", 43, "username") in where
    assert ("bad.csv", 44, "role") in where and ("bad.csv", 44, "display_name") in where
    assert str(caught.value).splitlines()[0].startswith("bad.csv:43: username: ")
    assert _counts(admin_store) == before  # the good first row (newbie, Year 4) was not imported either


def test_a_roster_refused_by_the_store_writes_nothing_either(admin_store: PlanStore) -> None:
    import_roster(admin_store, "roster.csv", actor="lead", data=roster_csv())
    before = _counts(admin_store)
    # Parses fine; the store refuses: t01 is a trainee, and a roster does not change roles.
    text = (
        "username,display_name,role,cohorts\n"
        "fresh,Fresh Face,trainee,New cohort\n"
        "t01,Trainee 01,supervisor,\n"
    )
    with pytest.raises(InvalidInput, match=r"late.csv:3: role: t01 is a trainee in the store"):
        import_roster(admin_store, "late.csv", actor="lead", data=text)
    assert _counts(admin_store) == before


def test_a_roster_updates_display_names_and_only_an_admin_imports(admin_store: PlanStore) -> None:
    import_roster(admin_store, "roster.csv", actor="lead", data=roster_csv())
    renamed = roster_csv().replace("t05,Trainee 05,", "t05,Tess Five,")
    result = import_roster(admin_store, "roster.csv", actor="lead", data=renamed)
    assert result.names_updated == ("t05",) and not result.people_added
    assert admin_store.find_person("t05", actor="lead").display_name == "Tess Five"
    with pytest.raises(PermissionDenied):
        import_roster(admin_store, "roster.csv", actor="sup0", data=roster_csv())


def test_a_deactivated_trainee_keeps_their_history_but_cannot_read_or_save(clinic: Clinic) -> None:
    store = clinic.store
    draft = store.start_draft(CASE_ID, actor="ana").id
    store.save_revision(draft, make_plan("before leaving"), based_on=0, actor="ana")
    person = store.set_active("ana", False, actor="admin")
    assert not person.active
    with pytest.raises(PermissionDenied, match="deactivated"):
        store.save_revision(draft, make_plan("after leaving"), based_on=1, actor="ana")
    with pytest.raises(PermissionDenied, match="deactivated"):
        store.list_drafts(actor="ana")
    # Their supervisor still reads the work, and the admin sees them (as deactivated).
    assert store.get_revision(draft, 1, actor="dr.okafor").problems[0].statement == "before leaving"
    assert not next(p for p in store.list_people(actor="admin") if p.username == "ana").active
    store.set_active("ana", True, actor="admin")
    assert store.save_revision(draft, make_plan("back again"), based_on=1, actor="ana").number == 2


def test_only_an_admin_deactivates_and_not_themselves(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        clinic.store.set_active("ana", False, actor="dr.okafor")
    with pytest.raises(PermissionDenied, match="yourself"):
        clinic.store.set_active("admin", False, actor="admin")


def test_removing_a_supervisor_from_a_cohort_ends_their_access_to_its_drafts(clinic: Clinic) -> None:
    store = clinic.store
    draft = store.start_draft(CASE_ID, actor="ana").id
    assert store.get_draft(draft, actor="dr.okafor").owner == "ana"
    assert store.remove_from_cohort(clinic.cohort_a, "dr.okafor", actor="admin")
    assert not store.remove_from_cohort(clinic.cohort_a, "dr.okafor", actor="admin")
    with pytest.raises(PermissionDenied):
        store.get_draft(draft, actor="dr.okafor")


def test_cohorts_carry_their_course_and_are_found_by_name(clinic: Clinic) -> None:
    made = clinic.store.add_cohort("Practicum 2027", course="Clinical practicum", actor="admin")
    assert clinic.store.find_cohort("Practicum 2027", actor="admin") == made
    assert made.course == "Clinical practicum"


def test_assigning_again_changes_the_due_date_and_never_duplicates(clinic: Clinic) -> None:
    store = clinic.store
    first = store.assign_case(CASE_ID, cohort_id=clinic.cohort_a, due_on=dt.date(2025, 1, 20), actor="admin")
    again = store.assign_case(CASE_ID, cohort_id=clinic.cohort_a, due_on=dt.date(2025, 1, 27), actor="admin")
    assert again.id == first.id and again.due_on == dt.date(2025, 1, 27)
    assert store.assign_case(CASE_ID, cohort_id=clinic.cohort_a, actor="admin").due_on == dt.date(2025, 1, 27)
    with pytest.raises(InvalidInput, match="calendar day"):
        store.assign_case(
            CASE_ID, cohort_id=clinic.cohort_a, due_on=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), actor="admin"
        )


def test_plan_statuses_follow_a_plan_from_not_started_to_signed_off(clinic: Clinic) -> None:
    store = clinic.store
    store.assign_case(CASE_ID, cohort_id=clinic.cohort_a, due_on=dt.date(2025, 1, 20), actor="admin")
    store.assign_case("case-other", trainee="ana", due_on=dt.date(2025, 2, 1), actor="admin")

    def mine() -> dict[str, object]:
        return {s.case_id: s for s in store.plan_statuses(actor="ana")}

    assert {c: s.status for c, s in mine().items()} == {CASE_ID: "empty", "case-other": "empty"}
    assert mine()[CASE_ID].due_on == dt.date(2025, 1, 20) and mine()[CASE_ID].cohorts == ("Cohort A",)
    draft = store.start_draft(CASE_ID, actor="ana").id
    store.save_revision(draft, make_plan(), based_on=0, actor="ana")
    assert mine()[CASE_ID].status == "in_progress" and mine()[CASE_ID].latest_revision == 1
    store.submit_draft(draft, actor="ana")
    waiting = [s for s in store.plan_statuses(actor="dr.okafor") if s.status == "submitted"]
    assert [(s.trainee, s.case_id) for s in waiting] == [("ana", CASE_ID)]
    store.add_annotation(draft, "Name the exam", element_id="prb-worry", actor="dr.okafor")
    store.add_score(draft, "rubric-itp-default", "crit-problem", 3, actor="dr.okafor")
    assert mine()[CASE_ID].new_feedback == 0  # not released yet
    store.return_draft(draft, summary="Nearly there", actor="dr.okafor")
    returned = mine()[CASE_ID]
    assert returned.status == "returned" and returned.new_feedback >= 2 and returned.decided_at is not None
    store.save_revision(
        draft, make_plan("Worry about exams keeps her from studying"), based_on=1, actor="ana"
    )
    assert mine()[CASE_ID].new_feedback == 0  # read and answered by saving
    store.submit_draft(draft, actor="ana")
    store.sign_off(draft, actor="dr.okafor")
    assert mine()[CASE_ID].status == "accepted"


def test_plan_statuses_show_a_supervisor_only_their_cohorts(clinic: Clinic) -> None:
    store = clinic.store
    assert {s.trainee for s in store.plan_statuses(actor="dr.okafor")} == {"ana", "ben"}
    assert {s.trainee for s in store.plan_statuses(actor="dr.lind")} == {"cara"}
    assert {s.trainee for s in store.plan_statuses(actor="admin")} == {"ana", "ben", "cara"}
    assert {s.trainee for s in store.plan_statuses(cohort_id=clinic.cohort_b, actor="dr.okafor")} == set()
    with pytest.raises(PermissionDenied):
        store.plan_statuses(trainee="ben", actor="ana")


def test_score_history_gives_trainees_released_scores_and_supervisors_only_theirs(clinic: Clinic) -> None:
    store = clinic.store
    drafts = {}
    for who, rater in (("ana", "dr.okafor"), ("cara", "dr.lind")):
        drafts[who] = store.start_draft(CASE_ID, actor=who).id
        store.save_revision(drafts[who], make_plan(), based_on=0, actor=who)
        store.add_score(drafts[who], "rubric-itp-default", "crit-problem", 2, actor=rater)
    store.add_score(drafts["ana"], "rubric-itp-default", "crit-problem", 4, actor="admin")
    assert store.score_history(actor="ana") == []
    store.release_feedback(drafts["ana"], actor="dr.okafor")
    [point] = store.score_history(actor="ana")
    assert (point.score, point.raters, point.display_name) == (3.0, 2, "Ana")
    assert {p.trainee for p in store.score_history(actor="dr.okafor")} == {"ana"}
    assert {p.trainee for p in store.score_history(actor="dr.lind")} == {"cara"}
    assert store.score_history(actor="dr.lind", released_only=True) == []
    assert {p.trainee for p in store.score_history(actor="admin")} == {"ana", "cara"}
