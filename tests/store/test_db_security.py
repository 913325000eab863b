"""The database itself enforces who reads and writes what (PostgreSQL roles + row-level security).

A trainee's kernel can skip every Python check, so these tests connect *as the trainee's own role* and use
raw SQL. The tests share one secured schema per session (``secured_schema``, db_roles.py), emptied for
each; each test's login roles are dropped (DROP OWNED, DROP ROLE) in teardown. The same rules through
PlanStore on SQLite are in test_roles.py and test_workshops.py; the last tests here show the store's own
code paths still work under the policies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from itp_toolkit.cli import main as itp_main
from itp_toolkit.errors import NotFound, PermissionDenied
from itp_toolkit.store.db_security import RoleNames

from .conftest import CASE_ID, Clinic, make_plan
from .db_roles import RoleConnections, SecuredDatabase, on_postgres, secured_roles

INSUFFICIENT_PRIVILEGE = "42501"  # no grant, or a row-level security policy said no


@dataclass(kw_only=True)
class Secured(RoleConnections):
    clinic: Clinic
    drafts: dict[str, int]


@pytest.fixture
def secured(clinic: Clinic, secured_schema: SecuredDatabase) -> Iterator[Secured]:
    """The clinic with feedback on ana's draft, secured, and a login role for each person."""
    store = clinic.store
    drafts = {}
    for who in (clinic.trainee, clinic.classmate, clinic.other_trainee):
        drafts[who] = store.start_draft(CASE_ID, actor=who).id
        store.save_revision(drafts[who], make_plan(f"{who}'s private plan"), based_on=0, actor=who)
    store.add_annotation(drafts["ana"], "released comment", element_id="prb-worry", actor=clinic.supervisor)
    store.add_score(drafts["ana"], "rubric-itp", "crit-measurable", 3, actor=clinic.supervisor)
    store.release_feedback(drafts["ana"], actor=clinic.supervisor)
    store.add_annotation(drafts["ana"], "draft comment, not released", actor=clinic.supervisor)
    sec = Secured(url=secured_schema.url, names=secured_schema.names, clinic=clinic, drafts=drafts)
    with secured_roles(sec, ("admin", "dr.okafor", "dr.lind", "ana", "ben", "cara")):
        yield sec


def _refused(engine: Engine, sql: str, **params: object) -> str:
    """Run ``sql`` and return the SQLSTATE it failed with (the test fails if it succeeded)."""
    with engine.connect() as conn:
        try:
            conn.execute(text(sql), params)
        except DBAPIError as exc:
            return getattr(exc.orig, "sqlstate", "") or ""
    raise AssertionError(f"the database accepted: {sql}")


def _rows(engine: Engine, sql: str, **params: object) -> list:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params))


@on_postgres
def test_trainee_connection_reads_only_their_own_drafts_and_revisions(secured: Secured) -> None:
    ana = secured.engine("ana")
    assert [r.owner for r in _rows(ana, "SELECT owner FROM drafts")] == ["ana"]
    assert _rows(ana, "SELECT * FROM drafts WHERE id = :d", d=secured.drafts["ben"]) == []
    assert _rows(ana, "SELECT * FROM revisions WHERE draft_id = :d", d=secured.drafts["ben"]) == []
    assert {r.draft_id for r in _rows(ana, "SELECT draft_id FROM revisions")} == {secured.drafts["ana"]}
    assert _rows(ana, "SELECT current_user AS me, itp_me() AS person")[0].person == "ana"


@on_postgres
def test_trainee_cannot_append_a_revision_to_a_classmates_draft(secured: Secured) -> None:
    ana, ben_draft = secured.engine("ana"), secured.drafts["ben"]
    for author in ("ana", "ben"):
        state = _refused(
            ana,
            "INSERT INTO revisions (draft_id, number, based_on, author, plan_json, created_at) "
            "VALUES (:d, 2, 1, :a, '{}', now())",
            d=ben_draft,
            a=author,
        )
        assert state == INSUFFICIENT_PRIVILEGE
    assert (
        _rows(
            create_engine(secured.url),
            "SELECT max(number) AS n FROM revisions WHERE draft_id = :d",
            d=ben_draft,
        )[0].n
        == 1
    )


@on_postgres
def test_trainee_can_update_or_delete_nothing(secured: Secured) -> None:
    ana, mine, bens = secured.engine("ana"), secured.drafts["ana"], secured.drafts["ben"]
    for sql in (
        "UPDATE revisions SET plan_json = '{}' WHERE draft_id = :d",
        "DELETE FROM revisions WHERE draft_id = :d",
        "DELETE FROM drafts WHERE id = :d",
        "UPDATE drafts SET owner = 'ben' WHERE id = :d",
        "UPDATE submissions SET status = 'accepted' WHERE draft_id = :d",
        "DELETE FROM annotations WHERE draft_id = :d",
        "UPDATE annotations SET released = true WHERE draft_id = :d",
        "UPDATE rubric_scores SET score = 4 WHERE draft_id = :d",
        "TRUNCATE revisions",
        "UPDATE people SET role = 'supervisor', is_admin = true WHERE username = 'ana' AND :d > 0",
        "INSERT INTO cohort_members (cohort_id, username, added_at) SELECT :d, 'ana', now()",
    ):
        assert _refused(ana, sql, d=mine) == INSUFFICIENT_PRIVILEGE, sql
    # The one column a trainee may touch is their own draft's updated_at (saving sets it); others' are hidden.
    with ana.connect() as conn:
        assert (
            conn.execute(text("UPDATE drafts SET updated_at = now() WHERE id = :d"), {"d": bens}).rowcount
            == 0
        )


@on_postgres
def test_trainee_cannot_write_annotations_or_scores_even_on_their_own_draft(secured: Secured) -> None:
    ana, mine = secured.engine("ana"), secured.drafts["ana"]
    assert (
        _refused(
            ana,
            "INSERT INTO annotations (draft_id, revision, author, body, created_at) "
            "VALUES (:d, 1, 'ana', 'great plan', now())",
            d=mine,
        )
        == INSUFFICIENT_PRIVILEGE
    )
    assert (
        _refused(
            ana,
            "INSERT INTO rubric_scores "
            "(draft_id, revision, rubric_id, criterion_id, rater, score, created_at) "
            "VALUES (:d, 1, 'rubric-itp', 'crit-measurable', 'ana', 4, now())",
            d=mine,
        )
        == INSUFFICIENT_PRIVILEGE
    )


@on_postgres
def test_trainee_reads_only_released_feedback_on_their_own_draft(secured: Secured) -> None:
    ana, ben = secured.engine("ana"), secured.engine("ben")
    assert [r.body for r in _rows(ana, "SELECT body FROM annotations")] == ["released comment"]
    assert [r.score for r in _rows(ana, "SELECT score FROM rubric_scores")] == [3]
    assert _rows(ben, "SELECT * FROM annotations") == [] and _rows(ben, "SELECT * FROM rubric_scores") == []


@on_postgres
def test_workshop_peer_drafts_are_hidden_from_the_database_until_review(secured: Secured) -> None:
    clinic = secured.clinic
    workshop = clinic.store.create_workshop(CASE_ID, cohort_id=clinic.cohort_a, actor=clinic.supervisor)
    ana_store, ben_store = secured.store_as("ana"), secured.store_as("ben")
    assert workshop.join_code is not None
    mine = ana_store.join_workshop(workshop.join_code, actor="ana").id  # by code, under RLS
    bens = ben_store.join_workshop(workshop_id=workshop.id, actor="ben").id  # through the cohort
    ben_store.save_revision(bens, make_plan("ben in the workshop"), based_on=0, actor="ben")
    ana = secured.engine("ana")
    peer_sql = (
        "SELECT d.owner, r.number FROM drafts d JOIN revisions r ON r.draft_id = d.id "
        "WHERE d.workshop_id = :w"
    )
    assert _rows(ana, peer_sql, w=workshop.id) == []
    with pytest.raises(NotFound):  # even when the Python check is skipped by claiming to be ben
        ana_store.get_revision(bens, actor="ben")

    clinic.store.open_review(workshop.id, actor=clinic.supervisor)
    assert [tuple(r) for r in _rows(ana, peer_sql, w=workshop.id)] == [("ben", 1)]
    assert ana_store.get_revision(bens, actor="ana").problems[0].statement == "ben in the workshop"
    assert {r.owner for r in _rows(ana, "SELECT owner FROM drafts")} == {"ana", "ben"}
    assert (
        _rows(ana, "SELECT * FROM drafts WHERE id = :d", d=secured.drafts["ben"]) == []
    )  # coursework: private
    assert (
        _refused(  # frozen at review, by the database too
            ana,
            "INSERT INTO revisions (draft_id, number, based_on, author, plan_json, created_at) "
            "VALUES (:d, 1, 0, 'ana', '{}', now())",
            d=mine,
        )
        == INSUFFICIENT_PRIVILEGE
    )


@on_postgres
def test_trainee_cannot_join_another_cohorts_workshop_without_its_code(secured: Secured) -> None:
    clinic = secured.clinic
    workshop = clinic.store.create_workshop(
        CASE_ID, cohort_id=clinic.cohort_a, with_code=False, actor=clinic.supervisor
    )
    cara = secured.engine("cara")
    assert _rows(cara, "SELECT * FROM workshops") == []
    assert (
        _refused(
            cara,
            "INSERT INTO workshop_participants (workshop_id, username, joined_at) VALUES (:w, 'cara', now())",
            w=workshop.id,
        )
        == INSUFFICIENT_PRIVILEGE
    )


@on_postgres
def test_supervisor_role_annotates_their_trainees_drafts_only(secured: Secured) -> None:
    okafor = secured.store_as("dr.okafor")
    note = okafor.add_annotation(
        secured.drafts["ben"], "Add a baseline", element_id="obj-gad7", actor="dr.okafor"
    )
    okafor.release_feedback(secured.drafts["ben"], actor="dr.okafor")
    assert [a.id for a in secured.store_as("ben").list_annotations(secured.drafts["ben"], actor="ben")] == [
        note.id
    ]
    assert (
        _refused(
            secured.engine("dr.okafor"),
            "INSERT INTO annotations (draft_id, revision, author, body, created_at) "
            "VALUES (:d, 1, 'dr.okafor', 'not my trainee', now())",
            d=secured.drafts["cara"],
        )
        == INSUFFICIENT_PRIVILEGE
    )
    with pytest.raises(NotFound):  # claiming to be dr.lind does not help either
        okafor.add_annotation(secured.drafts["cara"], "sneaky", actor="dr.lind")


@on_postgres
def test_store_code_paths_work_connected_as_a_trainee(secured: Secured) -> None:
    ana = secured.store_as("ana")
    mine = secured.drafts["ana"]
    saved = ana.save_revision(mine, make_plan("saved through my own role"), based_on=1, actor="ana")
    assert saved.number == 2
    assert ana.get_revision(mine, actor="ana").problems[0].statement == "saved through my own role"
    assert [a.body for a in ana.list_annotations(mine, actor="ana")] == ["released comment"]
    assert [s.score for s in ana.list_scores(mine, actor="ana")] == [3]
    assert ana.submit_draft(mine, actor="ana").status == "submitted"
    assert [d.id for d in ana.list_drafts(actor="ana")] == [mine]
    okafor = secured.store_as("dr.okafor")
    assert okafor.return_draft(mine, actor="dr.okafor").status == "returned"
    assert ana.save_revision(mine, make_plan("after return"), based_on=2, actor="ana").number == 3


@on_postgres
def test_trainee_role_answers_a_released_comment_on_their_own_draft_only(secured: Secured) -> None:
    ana, mine = secured.store_as("ana"), secured.drafts["ana"]
    released = next(a for a in ana.list_annotations(mine, actor="ana") if a.parent_id is None)
    reply = ana.reply(released.id or 0, "Reworded with her", actor="ana")
    assert reply.released and reply.parent_id == released.id
    engine = secured.engine("ana")
    # Straight SQL: no unreleased reply, no comment that answers nothing, nothing on a classmate's draft.
    for sql, draft in (
        (
            "INSERT INTO annotations (draft_id, revision, author, body, parent_id, released, created_at) "
            "VALUES (:d, 1, 'ana', 'x', :p, false, now())",
            mine,
        ),
        (
            "INSERT INTO annotations (draft_id, revision, author, body, released, created_at) "
            "VALUES (:d, 1, 'ana', 'x', true, now())",
            mine,
        ),
        (
            "INSERT INTO annotations (draft_id, revision, author, body, parent_id, released, created_at) "
            "VALUES (:d, 1, 'ana', 'x', :p, true, now())",
            secured.drafts["ben"],
        ),
    ):
        assert _refused(engine, sql, d=draft, p=released.id) == INSUFFICIENT_PRIVILEGE


@on_postgres
def test_store_connected_as_a_trainee_cannot_act_for_a_classmate(secured: Secured) -> None:
    ana = secured.store_as("ana")
    with pytest.raises(NotFound):  # the row is simply not there for ana's role
        ana.save_revision(secured.drafts["ben"], make_plan("hijack"), based_on=1, actor="ben")
    with pytest.raises(PermissionDenied, match="database refused"):  # Python says yes (a supervisor), PG no
        ana.add_annotation(secured.drafts["ana"], "self-praise", actor="dr.okafor")


@on_postgres
def test_itp_db_grant_makes_a_login_role_in_the_right_group(
    secured: Secured, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clinic = secured.clinic
    clinic.store.add_person("Dee.ONeil+x@clinic.org", "Dee", "trainee", actor="admin")
    password = tmp_path / "pw"
    password.write_text("s3cret-'quote\n", encoding="utf-8")
    args = [
        "db",
        "grant",
        "Dee.ONeil+x@clinic.org",
        "--password-file",
        str(password),
        "--database-url",
        secured.url,
        "--prefix",
        secured.names.prefix,
    ]
    assert itp_main(args) == 0
    role = secured.names.user("Dee.ONeil+x@clinic.org")
    secured.roles["Dee.ONeil+x@clinic.org"] = role
    assert role in capsys.readouterr().out
    assert role.startswith(f"{secured.names.prefix}_u_dee_oneil_x_clinic_org_") and len(role) <= 63
    admin = create_engine(secured.url)
    assert (
        _rows(admin, "SELECT db_role FROM people WHERE username = :u", u="Dee.ONeil+x@clinic.org")[0].db_role
        == role
    )
    groups = _rows(
        admin,
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :r",
        r=role,
    )
    assert [g.rolname for g in groups] == [secured.names.trainee]
    attrs = _rows(
        admin,
        "SELECT rolcanlogin, rolsuper, rolbypassrls, rolpassword IS NOT NULL AS pw "
        "FROM pg_authid WHERE rolname = :r",
        r=role,
    )[0]
    assert (attrs.rolcanlogin, attrs.rolsuper, attrs.rolbypassrls, attrs.pw) == (True, False, False, True)
    admin.dispose()
    assert secured.store_as("Dee.ONeil+x@clinic.org").list_drafts(actor="Dee.ONeil+x@clinic.org") == []


def test_role_names_are_distinct_and_safe() -> None:
    names = RoleNames("itp")
    assert names.user("ana") == "itp_u_ana"
    assert names.user("ana_b") != names.user("Ana.B") != names.user("ana.b")
    long = names.user("x" * 100)
    assert len(long) <= 63 and long != names.user("x" * 99)
    assert all(c.isalnum() or c == "_" for c in names.user('"; DROP ROLE postgres; --'))


@on_postgres
def test_supervisor_role_dismisses_a_finding_and_the_trainee_role_sees_it_only_once_released(
    secured: Secured,
) -> None:
    from itp_toolkit.checks import Finding

    finding = Finding(rule="smart.no_target_date", severity="problem", element_id="obj-gad7", message="m")
    mine = secured.drafts["ana"]
    okafor = secured.store_as("dr.okafor")
    made = okafor.dismiss_finding(
        mine, finding, "Agreed out loud; the date is in the notes.", actor="dr.okafor"
    )
    ana = secured.store_as("ana")
    assert ana.list_dismissals(mine, actor="ana") == []
    assert _rows(secured.engine("ana"), "SELECT * FROM finding_dismissals") == []
    okafor.release_feedback(mine, actor="dr.okafor")
    assert [d.id for d in ana.list_dismissals(mine, actor="ana")] == [made.id]
    assert _rows(secured.engine("ben"), "SELECT * FROM finding_dismissals") == []
    assert (
        _refused(
            secured.engine("ana"),
            "INSERT INTO finding_dismissals (draft_id, revision, rule, reason, author, created_at) "
            "VALUES (:d, 1, 'smart.no_measure', 'I say so', 'ana', now())",
            d=mine,
        )
        == INSUFFICIENT_PRIVILEGE
    )
    with pytest.raises(PermissionDenied, match="database refused"):  # Python says yes (a supervisor), PG no
        ana.dismiss_finding(mine, finding, "self-approval", actor="dr.okafor")


@on_postgres
def test_a_trainee_answers_a_released_comment_through_their_own_role_and_nothing_else(
    secured: Secured,
) -> None:
    ana, mine = secured.store_as("ana"), secured.drafts["ana"]
    [released] = ana.list_annotations(mine, actor="ana")
    answer = ana.reply(released.id or 0, "I will add a baseline", actor="ana")
    assert answer.released and answer.author == "ana"
    assert [a.body for a in ana.list_annotations(mine, actor="ana")] == [
        "released comment",
        "I will add a baseline",
    ]
    # The database itself refuses an answer to an unreleased comment, or a comment that answers nothing.
    hidden = secured.store_as("dr.okafor").list_annotations(mine, actor="dr.okafor")
    unreleased = next(a for a in hidden if not a.released)
    for sql in (
        "INSERT INTO annotations (draft_id, revision, author, body, parent_id, released, created_at) "
        f"VALUES (:d, 1, 'ana', 'peek', {unreleased.id}, true, now())",
        "INSERT INTO annotations (draft_id, revision, author, body, released, created_at) "
        "VALUES (:d, 1, 'ana', 'great plan', true, now())",
    ):
        assert _refused(secured.engine("ana"), sql, d=mine) == INSUFFICIENT_PRIVILEGE
