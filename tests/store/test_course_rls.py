"""Several cohorts on one PostgreSQL deployment under row-level security: a supervisor of one cohort reads
none of another cohort's drafts, through the store or with raw SQL on their own login role; and a
deactivated person's login role can no longer connect."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from itp_toolkit.errors import NotFound, PermissionDenied
from itp_toolkit.services.roster import import_roster, set_active
from itp_toolkit.store import PlanStore

from .conftest import CASE_ID, make_plan
from .db_roles import RoleConnections, SecuredDatabase, on_postgres, secured_roles
from .roster_data import COHORTS, roster_csv


@dataclass(kw_only=True)
class Deployment(RoleConnections):
    store: PlanStore
    drafts: dict[str, int]


@pytest.fixture
def deployment(store: PlanStore, secured_schema: SecuredDatabase) -> Iterator[Deployment]:
    """The 40-person roster, the case set for each cohort, a saved draft per trainee, secured, with a login
    role for each supervisor and two trainees."""
    store.ensure_admin("lead", "Programme Lead")
    import_roster(store, "roster.csv", actor="lead", data=roster_csv())
    for name in COHORTS:
        store.assign_case(CASE_ID, cohort_id=store.find_cohort(name, actor="lead").id, actor="lead")
    drafts = {}
    for i in range(36):
        who = f"t{i:02d}"
        drafts[who] = store.start_draft(CASE_ID, actor=who).id
        store.save_revision(drafts[who], make_plan(f"{who}'s private plan"), based_on=0, actor=who)
    dep = Deployment(url=secured_schema.url, names=secured_schema.names, store=store, drafts=drafts)
    with secured_roles(dep, ("sup0", "sup1", "sup2", "t00", "t01")):
        yield dep


def _owners(engine: Engine, sql: str) -> set[str]:
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text(sql))}


@on_postgres
def test_a_supervisor_of_one_cohort_reads_none_of_another_cohorts_drafts(deployment: Deployment) -> None:
    year1 = {f"t{i:02d}" for i in range(0, 36, 3)}
    sup0 = deployment.engine("sup0")
    assert _owners(sup0, "SELECT owner FROM drafts") == year1
    revision_owners = _owners(sup0, "SELECT d.owner FROM revisions r JOIN drafts d ON d.id = r.draft_id")
    assert revision_owners == year1
    other = deployment.drafts["t01"]  # Year 2
    with sup0.connect() as conn:
        assert (
            conn.execute(text("SELECT plan_json FROM revisions WHERE draft_id = :d"), {"d": other}).all()
            == []
        )
    # The store, connected as the same role, says the same.
    as_sup0 = deployment.store_as("sup0", upgrade=False)
    assert {d.owner for d in as_sup0.list_drafts(actor="sup0")} == year1
    assert {s.trainee for s in as_sup0.plan_statuses(actor="sup0")} == year1
    with pytest.raises((NotFound, PermissionDenied)):  # under row-level security the draft is not even there
        as_sup0.get_revision(other, 1, actor="sup0")
    # And a supervisor of the other cohort reads theirs only.
    assert _owners(deployment.engine("sup1"), "SELECT owner FROM drafts") == {
        f"t{i:02d}" for i in range(1, 36, 3)
    }


@on_postgres
def test_deactivating_a_person_stops_their_login_role_and_reactivating_restores_it(
    deployment: Deployment,
) -> None:
    done = set_active(deployment.store, "t00", False, actor="lead")
    assert done.database_role == deployment.roles["t00"] and not done.note
    with pytest.raises(OperationalError, match="not permitted to log in"), deployment.engine("t00").connect():
        pass
    # Others are untouched, and t00's work is still there for their supervisor.
    assert _owners(deployment.engine("t01"), "SELECT owner FROM drafts") == {"t01"}
    assert "t00" in _owners(deployment.engine("sup0"), "SELECT owner FROM drafts")
    set_active(deployment.store, "t00", True, actor="lead")
    assert _owners(deployment.engine("t00"), "SELECT owner FROM drafts") == {"t00"}


@pytest.fixture
def lead_role(deployment: Deployment) -> str:
    """A login role for the programme lead (an admin), like every other person's."""
    return deployment.grant("lead")


@on_postgres
def test_an_admin_on_their_own_role_administers_and_a_supervisor_cannot(
    deployment: Deployment, lead_role: str
) -> None:
    import datetime as dt

    lead = deployment.store_as("lead", upgrade=False)
    renamed = roster_csv().replace("t05,Trainee 05,", "t05,Tess Five,")
    assert import_roster(lead, "roster.csv", actor="lead", data=renamed).names_updated == ("t05",)
    year1 = lead.find_cohort("Year 1", actor="lead").id
    assert lead.assign_case(CASE_ID, cohort_id=year1, due_on=dt.date(2026, 12, 14), actor="lead").due_on
    assert lead.remove_from_cohort(year1, "t03", actor="lead")
    assert not lead.set_active("t06", False, actor="lead").active
    # A supervisor's own connection cannot do the same behind the store's back.
    sup0 = deployment.engine("sup0")
    with sup0.connect() as conn:
        assert conn.execute(text("UPDATE people SET active = false WHERE username = 't00'")).rowcount == 0
        assert conn.execute(text("DELETE FROM cohort_members WHERE username = 't09'")).rowcount == 0
        assert conn.execute(text("UPDATE case_assignments SET due_on = NULL")).rowcount == 0
