"""The database keeps the store's rules on feedback, workshops, submissions and plans, whoever connects.

Round two of the row-level-security probe (issue 13, items 5-10): each test connects *as a person's own
PostgreSQL role* and uses raw SQL, as a trainee or supervisor with the database URL in their kernel could.
The fixture (``secured``) is the one from test_db_security.py: ana's draft carries dr.okafor's released
comment and score; admin is a supervisor who may give feedback on every draft.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from itp_toolkit.errors import InvalidInput
from itp_toolkit.store import MAX_PLAN_BYTES, PlanStore, db_security
from tests.compare import review_clinic as review_clinic_module

from . import test_db_security
from .conftest import CASE_ID, Clinic, make_plan
from .test_db_security import INSUFFICIENT_PRIVILEGE, Secured, _refused, _rows, on_postgres

secured = test_db_security.secured
"""The clinic, secured, with a login role per person (shared with test_db_security.py)."""
review_clinic = review_clinic_module.review_clinic
"""A cohort with ana's and ben's drafts of one case, for the supervisor's page (tests/compare)."""

LONG_AGO = "2001-01-01T00:00:00+00:00"


def _admin_rows(sec: Secured, sql: str, **params: object) -> list:
    engine = create_engine(sec.url)
    try:
        return _rows(engine, sql, **params)
    finally:
        engine.dispose()


def _recent(moment: dt.datetime) -> bool:
    return abs(dt.datetime.now(dt.UTC) - moment) < dt.timedelta(hours=1)


# ---------------------------------------------------------------- 5. scores and comments


@on_postgres
def test_a_supervisor_cannot_rewrite_another_raters_released_score(secured: Secured) -> None:
    ana = secured.drafts["ana"]
    state = _refused(
        secured.engine("admin"),
        "UPDATE rubric_scores SET score = 1, comment = 'rewritten by admin', created_at = :t "
        "WHERE draft_id = :d",
        d=ana,
        t=LONG_AGO,
    )
    assert state == INSUFFICIENT_PRIVILEGE
    row = _admin_rows(secured, "SELECT score, comment, rater FROM rubric_scores WHERE draft_id = :d", d=ana)[
        0
    ]
    assert (row.score, row.comment, row.rater) == (3, "", "dr.okafor")


@on_postgres
def test_a_released_score_cannot_change_even_for_its_rater(secured: Secured) -> None:
    ana = secured.drafts["ana"]
    okafor = secured.engine("dr.okafor")
    for sql in (
        "UPDATE rubric_scores SET score = 4 WHERE draft_id = :d",
        "UPDATE rubric_scores SET released = false WHERE draft_id = :d",
    ):
        assert _refused(okafor, sql, d=ana) == INSUFFICIENT_PRIVILEGE, sql
    assert [
        r.score for r in _admin_rows(secured, "SELECT score FROM rubric_scores WHERE draft_id = :d", d=ana)
    ] == [3]


@on_postgres
def test_a_supervisor_cannot_change_another_raters_unreleased_score(secured: Secured) -> None:
    ana = secured.drafts["ana"]
    secured.store_as("dr.okafor").add_score(ana, "rubric-itp", "crit-linked", 2, actor="dr.okafor")
    state = _refused(
        secured.engine("admin"),
        "UPDATE rubric_scores SET score = 4, comment = 'in his name' WHERE draft_id = :d AND NOT released",
        d=ana,
    )
    assert state == INSUFFICIENT_PRIVILEGE
    # Releasing another rater's score is part of a decision, and still allowed.
    assert secured.store_as("admin").release_feedback(ana, actor="admin") >= 1


@on_postgres
def test_feedback_timestamps_are_set_by_the_database_not_the_writer(secured: Secured) -> None:
    ana = secured.drafts["ana"]
    okafor = secured.engine("dr.okafor")
    with okafor.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO rubric_scores (draft_id, revision, rubric_id, criterion_id, rater, score, "
                "created_at) VALUES (:d, 1, 'rubric-itp', 'crit-backdated', 'dr.okafor', 2, :t)"
            ),
            {"d": ana, "t": LONG_AGO},
        )
        conn.execute(
            text(
                "INSERT INTO annotations (draft_id, revision, author, body, created_at) "
                "VALUES (:d, 1, 'dr.okafor', 'written long ago?', :t)"
            ),
            {"d": ana, "t": LONG_AGO},
        )
        conn.execute(
            text("UPDATE rubric_scores SET created_at = :t WHERE criterion_id = 'crit-backdated'"),
            {"t": LONG_AGO},
        )
    score = _admin_rows(secured, "SELECT created_at FROM rubric_scores WHERE criterion_id = 'crit-backdated'")
    note = _admin_rows(secured, "SELECT created_at FROM annotations WHERE body = 'written long ago?'")
    assert _recent(score[0].created_at) and _recent(note[0].created_at)


@on_postgres
def test_a_released_comment_cannot_be_unreleased_or_signed_by_someone_else(secured: Secured) -> None:
    ana = secured.drafts["ana"]
    assert (
        _refused(
            secured.engine("dr.okafor"),
            "UPDATE annotations SET released = false WHERE draft_id = :d AND released",
            d=ana,
        )
        == INSUFFICIENT_PRIVILEGE
    )
    assert (
        _refused(
            secured.engine("admin"),
            "INSERT INTO annotations (draft_id, revision, author, body, created_at) "
            "VALUES (:d, 1, 'dr.okafor', 'in his name', now())",
            d=ana,
        )
        == INSUFFICIENT_PRIVILEGE
    )
    # Marking a released thread dealt with is still fine, for any supervisor who gives feedback on it.
    with secured.engine("admin").begin() as conn:
        assert (
            conn.execute(
                text("UPDATE annotations SET resolved = true WHERE draft_id = :d AND released"), {"d": ana}
            ).rowcount
            == 1
        )


# ---------------------------------------------------------------- 6. workshops


@on_postgres
def test_a_supervisor_cannot_open_a_workshop_for_a_cohort_they_do_not_supervise(secured: Secured) -> None:
    clinic = secured.clinic
    insert = (
        "INSERT INTO workshops (title, case_id, cohort_id, facilitator, phase, created_at) "
        "VALUES ('Not my cohort', :c, :k, 'dr.lind', 'drafting', now())"
    )
    assert _refused(secured.engine("dr.lind"), insert, c=CASE_ID, k=clinic.cohort_a) == INSUFFICIENT_PRIVILEGE
    with secured.engine("dr.lind").begin() as conn:  # their own cohort: fine
        conn.execute(text(insert), {"c": CASE_ID, "k": clinic.cohort_b})


# ---------------------------------------------------------------- 7. submissions


@on_postgres
def test_a_trainee_cannot_unsign_a_signed_off_draft(secured: Secured) -> None:
    ana_draft = secured.drafts["ana"]
    ana_store, okafor = secured.store_as("ana"), secured.store_as("dr.okafor")
    ana_store.submit_draft(ana_draft, actor="ana")
    okafor.sign_off(ana_draft, actor="dr.okafor")
    for revision in (99, 1):
        state = _refused(
            secured.engine("ana"),
            "INSERT INTO submissions (draft_id, revision, status, submitted_by, submitted_at) "
            "VALUES (:d, :r, 'submitted', 'ana', now())",
            d=ana_draft,
            r=revision,
        )
        assert state == INSUFFICIENT_PRIVILEGE, revision
    statuses = _admin_rows(
        secured, "SELECT status FROM submissions WHERE draft_id = :d ORDER BY id", d=ana_draft
    )
    assert [s.status for s in statuses] == ["accepted"]


@on_postgres
def test_a_submission_must_name_a_saved_revision_of_its_draft(secured: Secured) -> None:
    bens = secured.drafts["ben"]
    state = _refused(
        secured.engine("ben"),
        "INSERT INTO submissions (draft_id, revision, status, submitted_by, submitted_at) "
        "VALUES (:d, 7, 'submitted', 'ben', now())",
        d=bens,
    )
    assert state == INSUFFICIENT_PRIVILEGE
    assert secured.store_as("ben").submit_draft(bens, actor="ben").revision == 1  # the real one still works


@on_postgres
def test_a_decision_is_made_once_on_the_waiting_submission(secured: Secured) -> None:
    bens = secured.drafts["ben"]
    secured.store_as("ben").submit_draft(bens, actor="ben")
    secured.store_as("dr.okafor").return_draft(bens, actor="dr.okafor")
    assert (
        _refused(
            secured.engine("dr.okafor"),
            "UPDATE submissions SET status = 'accepted', decided_by = 'dr.okafor' WHERE draft_id = :d",
            d=bens,
        )
        == INSUFFICIENT_PRIVILEGE
    )


# ---------------------------------------------------------------- 8. one workshop draft each


@on_postgres
def test_a_participant_has_one_workshop_draft_and_only_for_the_workshops_case(secured: Secured) -> None:
    clinic = secured.clinic
    workshop = clinic.store.create_workshop(CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.supervisor)
    secured.store_as("ana").join_workshop(workshop_id=workshop.id, actor="ana")
    ana = secured.engine("ana")
    for case in ("case-invented-1", "case-invented-2"):
        state = _refused(
            ana,
            "INSERT INTO drafts (owner, case_id, workshop_id, created_at, updated_at) "
            "VALUES ('ana', :c, :w, now(), now())",
            c=case,
            w=workshop.id,
        )
        assert state in (INSUFFICIENT_PRIVILEGE, "23505"), case
    count = _admin_rows(secured, "SELECT count(*) AS n FROM drafts WHERE workshop_id = :w", w=workshop.id)
    assert count[0].n == 1


# ---------------------------------------------------------------- 9. plans the database will store


@pytest.mark.parametrize(
    "plan_json",
    [
        pytest.param("x" * (MAX_PLAN_BYTES + 1), id="too-big"),
        pytest.param(
            json.dumps({"id": "plan-1", "case_id": CASE_ID, "notes": "x" * MAX_PLAN_BYTES}), id="big-json"
        ),
        pytest.param("not json at all", id="not-json"),
        pytest.param("[1, 2]", id="not-an-object"),
        pytest.param(json.dumps({"title": "no ids"}), id="no-ids"),
        pytest.param(json.dumps({"id": "plan-1", "case_id": "case-other"}), id="other-case"),
    ],
)
def test_the_database_refuses_a_revision_that_is_no_plan_for_the_draft(
    clinic: Clinic, plan_json: str
) -> None:
    """On both databases, even connected as the store's own (all-powerful) user."""
    store = clinic.store
    draft = store.start_draft(CASE_ID, actor="ana").id
    store.save_revision(draft, make_plan(), based_on=0, actor="ana")
    with pytest.raises(DBAPIError), store._db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO revisions (draft_id, number, based_on, author, plan_json, created_at) "
                "VALUES (:d, 2, 1, 'ana', :p, :t)"
            ),
            {"d": draft, "p": plan_json, "t": dt.datetime(2025, 2, 1, tzinfo=dt.UTC)},
        )
    assert store.get_revision(draft, actor="ana").problems[0].statement == make_plan().problems[0].statement


# ---------------------------------------------------------------- 10. per-person roles


@on_postgres
def test_per_person_roles_have_limits_and_connect_only_to_the_toolkits_database(secured: Secured) -> None:
    role = secured.roles["ana"]
    attrs = _admin_rows(secured, "SELECT rolconnlimit FROM pg_roles WHERE rolname = :r", r=role)[0]
    assert attrs.rolconnlimit == db_security.CONNECTION_LIMIT
    with secured.engine("ana").connect() as conn:
        settings = {
            name: conn.execute(text(f"SHOW {name}")).scalar_one()
            for name in ("statement_timeout", "idle_in_transaction_session_timeout")
        }
    assert settings == {
        "statement_timeout": db_security.STATEMENT_TIMEOUT,
        "idle_in_transaction_session_timeout": db_security.IDLE_IN_TRANSACTION_TIMEOUT,
    }
    database = _admin_rows(secured, "SELECT current_database() AS d")[0].d
    public = _admin_rows(
        secured,
        "SELECT has_database_privilege('public', :d, 'CONNECT') AS c, "
        "has_database_privilege(:r, :d, 'CONNECT') AS mine",
        d=database,
        r=role,
    )[0]
    assert (public.c, public.mine) == (False, True)
    from itp_toolkit.cli import main as itp_main

    args = ["db", "grant", "ben", "--connection-limit", "3", "--database-url", secured.url]
    assert itp_main([*args, "--prefix", secured.names.prefix]) == 0
    again = _admin_rows(
        secured, "SELECT rolconnlimit FROM pg_roles WHERE rolname = :r", r=secured.roles["ben"]
    )
    assert again[0].rolconnlimit == 3


@on_postgres
def test_participants_cannot_list_each_other_while_drafting_is_blind(secured: Secured) -> None:
    clinic = secured.clinic
    workshop = clinic.store.create_workshop(CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.supervisor)
    for who in ("ana", "ben"):
        secured.store_as(who).join_workshop(workshop_id=workshop.id, actor=who)
    listing = "SELECT username FROM workshop_participants WHERE workshop_id = :w ORDER BY username"
    assert [r.username for r in _rows(secured.engine("ana"), listing, w=workshop.id)] == ["ana"]
    clinic.store.open_review(workshop.id, actor=clinic.supervisor)
    assert [r.username for r in _rows(secured.engine("ana"), listing, w=workshop.id)] == ["ana", "ben"]


@on_postgres
def test_a_join_code_cannot_be_tested_by_reading_the_workshops_table(secured: Secured) -> None:
    clinic = secured.clinic
    workshop = clinic.store.create_workshop(CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.supervisor)
    assert workshop.join_code is not None
    cara = secured.engine("cara")  # cohort B: sees cohort A's workshop only through its code
    with cara.connect() as conn:
        conn.execute(text("SELECT set_config('itp.join_code', :c, false)"), {"c": workshop.join_code})
        assert list(conn.execute(text("SELECT id FROM workshops"))) == []
    # Typing the code into the page (the store) still joins.
    draft = secured.store_as("cara").join_workshop(workshop.join_code, actor="cara")
    assert draft.case_id == CASE_ID
    wrong = "".join("A" if c != "A" else "B" for c in workshop.join_code)
    with pytest.raises(Exception, match="no workshop has that code"):
        secured.store_as("cara").join_workshop(wrong, actor="cara")


def _store_raw_revision(store: PlanStore, draft_id: int, plan: dict) -> None:
    """What a trainee with the database URL can still store: JSON of the right shape the model refuses."""
    with store._db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO revisions (draft_id, number, based_on, author, plan_json, created_at) "
                "VALUES (:d, 1, 0, (SELECT owner FROM drafts WHERE id = :d), :p, :t)"
            ),
            {"d": draft_id, "p": json.dumps(plan), "t": dt.datetime(2025, 2, 1, tzinfo=dt.UTC)},
        )


NOT_A_PLAN = {"id": "plan-raw", "case_id": CASE_ID, "problems": [{"statement": 5, "goals": "none"}]}


def test_one_invalid_stored_plan_leaves_the_other_drafts_in_the_cohort_view(clinic: Clinic) -> None:
    store = clinic.store
    anas = store.start_draft(CASE_ID, actor="ana").id
    store.save_revision(anas, make_plan("ana's plan"), based_on=0, actor="ana")
    _store_raw_revision(store, store.start_draft(CASE_ID, actor="ben").id, NOT_A_PLAN)
    plans, unreadable = store.latest_plans_checked(
        case_id=CASE_ID, cohort_id=clinic.cohort_a, actor="dr.okafor"
    )
    assert [s.owner for s, _ in plans] == ["ana"]
    assert [(s.owner, s.latest_revision) for s, _ in unreadable] == [("ben", 1)]
    assert unreadable[0][1].problems  # located: what is wrong with it
    with pytest.raises(InvalidInput):  # the strict read still says so
        store.latest_plans(case_id=CASE_ID, cohort_id=clinic.cohort_a, actor="dr.okafor")


def test_one_invalid_stored_plan_leaves_the_others_in_the_workshop_debrief(clinic: Clinic) -> None:
    from itp_toolkit.compare.debrief import debrief_sections, gather_debrief
    from itp_toolkit.formats.files import load_case
    from itp_toolkit.library.cases import case_library_dir

    store = clinic.store
    workshop = store.create_workshop(CASE_ID, cohort_id=clinic.cohort_a, actor="dr.okafor")
    anas = store.join_workshop(workshop_id=workshop.id, actor="ana").id
    bens = store.join_workshop(workshop_id=workshop.id, actor="ben").id
    store.save_revision(anas, make_plan("ana in the workshop"), based_on=0, actor="ana")
    _store_raw_revision(store, bens, NOT_A_PLAN)
    store.open_review(workshop.id, actor="dr.okafor")
    case = load_case(case_library_dir() / f"{CASE_ID}.yaml")
    for viewer in ("dr.okafor", "ana"):
        debrief = gather_debrief(store, workshop.id, case, actor=viewer)
        assert (debrief.group_size, debrief.unreadable) == (1, [1]), viewer
        html = "".join(debrief_sections(debrief))
        assert "One saved plan could not be read and is left out." in html


def test_the_supervisors_cohort_page_shows_the_others_and_names_the_unreadable_draft(review_clinic) -> None:
    from itp_toolkit.widgets.supervisor import SupervisorReview

    store = review_clinic.store
    cohort = store.list_cohorts(actor="admin")[0].id
    store.add_person("cal", "Cal Ortiz", "trainee", actor="admin")
    store.add_to_cohort(cohort, "cal", actor="admin")
    store.assign_case(review_clinic.case.id, trainee="cal", actor="admin")
    broken = dict(NOT_A_PLAN, case_id=review_clinic.case.id)
    _store_raw_revision(store, store.start_draft(review_clinic.case.id, actor="cal").id, broken)
    page = SupervisorReview(store, "dr.okafor", {review_clinic.case.id: review_clinic.case})
    page.load(cohort, review_clinic.case.id)
    assert {d.trainee for d in page.drafts} == {"ana", "ben"}
    assert page.message.value.startswith("2 drafts of ")
    assert "Cal Ortiz's latest plan (revision 1) could not be read" in page.message.value
    assert "cal," not in page.message.value  # the display name, not the login
