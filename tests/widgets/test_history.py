"""Revision history: pick two saved revisions and read what changed, matched by element id."""

from __future__ import annotations

import pytest

from itp_toolkit.compare import changes_html, diff_revisions
from itp_toolkit.model import TreatmentPlan
from itp_toolkit.model import editing as e
from itp_toolkit.services.drafting import DraftSession
from itp_toolkit.widgets.history import RevisionHistory
from tests.apps.clinic import *  # noqa: F403 - fixtures


@pytest.fixture
def three_revisions(store, college):  # noqa: F811
    draft = store.start_draft(CASE_ID, actor="ana")  # noqa: F405
    s = DraftSession(store, draft.id, "ana", case=college)
    p = e.add_problem(s.plan, "Worry", element_id="prb-worry")
    p = e.add_problem(p, "Panic", element_id="prb-panic")
    p = e.add_goal(p, "prb-worry", "Sleep", element_id="gol-sleep")
    s.edit(p)
    s.save()
    p = e.update_element(s.plan, "gol-sleep", statement="Sleep through the night")
    p = e.move_element(p, "prb-panic", 0)
    s.edit(p)
    s.save()
    p = e.remove_element(s.plan, "prb-panic")
    p = e.add_problem(p, "Drinks to sleep <script>window.__pwned=1</script>", element_id="prb-drink")
    s.edit(p)
    s.save()
    return s


def test_history_offers_one_entry_per_sitting_and_compares_its_start_with_the_latest(three_revisions):
    h = RevisionHistory(three_revisions)
    assert [r.number for r in h.revisions] == [1, 2, 3]  # every revision is kept
    assert len(h.sittings) == 1 and h.sittings[0].count == 3  # saved in one go: one entry
    assert [v for _, v in h.newer.options] == [1, 3]  # the first save, and the sitting (ending at 3)
    assert "revisions 1–3 (3 saves)" in h.newer.options[-1][0]
    assert (h.older.value, h.newer.value) == (1, 3)
    assert "Problem 'Panic' removed" in h.text
    assert "added" in h.text and "3 changes" in h.summary.value
    assert " moved " not in h.text, "removing a sibling is not a move"


def test_picking_two_revisions_shows_reworded_and_moved_elements(three_revisions):
    h = RevisionHistory(three_revisions)
    text = h.pick(1, 2)
    assert "Goal 'Sleep through the night' changed: statement Sleep → Sleep through the night" in text
    assert "Problem 'Panic' moved from position 2 to 1" in text


def test_a_reworded_element_is_changed_not_removed_and_added():
    plan = e.add_goal(
        e.add_problem(TreatmentPlan(case_id="case-x"), "Worry", element_id="prb-a"),
        "prb-a",
        "Sleep",
        element_id="gol-a",
    )
    plan = e.add_problem(plan, "Panic", element_id="prb-b")
    moved = e.update_element(plan, "gol-a", statement="Rest")
    data = moved.model_dump()
    data["problems"][1]["goals"] = data["problems"][0].pop("goals")
    data["problems"][0]["goals"] = []
    moved = TreatmentPlan.model_validate(data)
    kinds = {(c.kind, c.element_id, c.field) for c in diff_revisions(plan, moved)}
    assert ("moved", "gol-a", "parent") in kinds and ("changed", "gol-a", "statement") in kinds
    assert not any(k in ("added", "removed") for k, _, _ in kinds)


def test_diff_html_escapes_trainee_text(three_revisions):
    h = RevisionHistory(three_revisions)
    assert "<script>" not in h.diff.value and "&lt;script&gt;" in h.diff.value
    assert "<script>" in h.text  # plain text keeps it as typed


def test_identical_revisions_say_no_changes():
    plan = TreatmentPlan(case_id="case-x")
    assert diff_revisions(plan, plan) == []
    assert "No changes." in changes_html([])


def test_history_of_an_unsaved_draft_says_so(store, college):  # noqa: F811
    draft = store.start_draft(CASE_ID, actor="ana")  # noqa: F405
    h = RevisionHistory(DraftSession(store, draft.id, "ana", case=college))
    assert h.summary.value == "No revisions saved yet."


def _info(number: int, minutes: int, author: str = "ana"):
    import datetime as dt

    from itp_toolkit.store.records import RevisionInfo

    start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    return RevisionInfo(
        draft_id=1,
        number=number,
        based_on=number - 1,
        author=author,
        created_at=start + dt.timedelta(minutes=minutes),
        size_bytes=10,
    )


def test_a_pause_of_half_an_hour_or_another_author_starts_a_new_sitting():
    from itp_toolkit.views.history import sittings

    revisions = [_info(1, 0), _info(2, 3), _info(3, 20), _info(4, 90), _info(5, 91), _info(6, 92, "dr.x")]
    groups = sittings(revisions)
    assert [(g.first.number, g.last.number, g.count) for g in groups] == [(1, 3, 3), (4, 5, 2), (6, 6, 1)]
    assert groups[0].label == "03 Mar 09:00–09:20 · revisions 1–3 (3 saves)"
    assert groups[2].label == "03 Mar 10:32 · revision 6"
