"""The connection dies after COMMIT reached the server: the save happened, the page was told it failed.

The retry then starts from the old revision and the store answers StaleRevision. The session must see that
the newer revision is its own text (saved once, not a conflict, not a second copy). A relay between the
toolkit and the private PostgreSQL cluster drops the COMMIT's answer (see ``proxy.py``); nothing is mocked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from itp_toolkit.model import editing as e
from itp_toolkit.services.drafting import UNREACHABLE_MESSAGE, DraftSession
from itp_toolkit.store import PlanStore
from tests.apps.clinic import CASE_ID
from tests.outage.proxy import CommitAnswerLosingProxy

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # a private PostgreSQL cluster (initdb, start)


@pytest.fixture
def proxy(pg_cluster) -> Iterator[CommitAnswerLosingProxy]:  # noqa: ANN001 - fixture from conftest
    p = CommitAnswerLosingProxy(pg_cluster.port)
    yield p
    p.close()


@pytest.fixture
def via_proxy(outage_db: str, proxy: CommitAnswerLosingProxy) -> Iterator[PlanStore]:
    """The trainee's store, connected through the relay."""
    store = PlanStore.open(proxy.url(make_url(outage_db).database or ""))
    yield store
    store.close()


def _saved_statements(url: str, draft_id: int) -> list[tuple[int, str]]:
    """(number, first problem's statement) of each revision, read straight from the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT number, plan_json FROM revisions WHERE draft_id = :d ORDER BY number"),
                {"d": draft_id},
            ).all()
    finally:
        engine.dispose()
    return [(n, " | ".join(p["statement"] for p in json.loads(j)["problems"])) for n, j in rows]


def _lose_the_answer_to_one_save(session: DraftSession, proxy: CommitAnswerLosingProxy) -> None:
    proxy.lose_next_commit_answer()
    session.save()
    assert proxy.commits_cut == 1, "the relay never saw the save's COMMIT"
    assert session.state == "error" and session.status.message == UNREACHABLE_MESSAGE


def test_a_save_whose_answer_was_lost_is_recognised_and_not_saved_twice(via_proxy, proxy, outage_db) -> None:
    draft = via_proxy.start_draft(CASE_ID, actor="ana")
    session = DraftSession(via_proxy, draft.id, "ana")
    session.edit(e.add_problem(session.plan, "Worry before exams", element_id="prb-exams"))
    session.save()
    assert session.revision == 1

    typed = e.add_problem(session.plan, "Panic at night", element_id="prb-night")
    session.edit(typed)
    _lose_the_answer_to_one_save(session, proxy)
    assert session.plan == typed, "the typed text was dropped"
    assert _saved_statements(outage_db, draft.id)[-1] == (2, "Worry before exams | Panic at night"), (
        "the COMMIT did not reach the server: this test did not produce an unknown outcome"
    )

    session.save()  # the autosave's retry: StaleRevision, and revision 2 is exactly what we sent

    assert session.state == "saved" and session.revision == 2, session.status
    assert session.status.conflict_with is None
    assert [n for n, _ in _saved_statements(outage_db, draft.id)] == [1, 2], "the plan was saved twice"


def test_text_typed_after_a_lost_answer_becomes_the_next_revision(via_proxy, proxy, outage_db) -> None:
    draft = via_proxy.start_draft(CASE_ID, actor="ana")
    session = DraftSession(via_proxy, draft.id, "ana")
    session.edit(e.add_problem(session.plan, "Worry before exams", element_id="prb-exams"))
    _lose_the_answer_to_one_save(session, proxy)  # revision 1 is in, the page does not know
    session.edit(e.add_problem(session.plan, "Skips lectures", element_id="prb-lectures"))

    session.save()

    assert session.state == "saved" and session.revision == 2, session.status
    assert _saved_statements(outage_db, draft.id) == [
        (1, "Worry before exams"),
        (2, "Worry before exams | Skips lectures"),
    ]


def test_a_different_save_from_another_tab_is_still_a_conflict_after_a_lost_answer(
    via_proxy, proxy, outage_db
) -> None:
    draft = via_proxy.start_draft(CASE_ID, actor="ana")
    session = DraftSession(via_proxy, draft.id, "ana")
    session.edit(e.add_problem(session.plan, "Worry before exams", element_id="prb-exams"))
    session.save()
    session.edit(e.add_problem(session.plan, "Panic at night", element_id="prb-night"))
    _lose_the_answer_to_one_save(session, proxy)  # revision 2 = this tab's text
    with PlanStore.open(outage_db) as other_tab_store:
        other_tab = DraftSession(other_tab_store, draft.id, "ana")
        other_tab.edit(e.add_problem(other_tab.plan, "Sleeps 4 hours", element_id="prb-sleep"))
        other_tab.save()  # revision 3, a different text

    session.save()

    assert session.state == "error" and session.status.conflict_with == 3, session.status
    assert "saved elsewhere" in session.status.message
    assert [n for n, _ in _saved_statements(outage_db, draft.id)] == [1, 2, 3]
