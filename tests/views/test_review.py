"""The review page's views: queue order, statuses and history in words, escaped tables and threads."""

from __future__ import annotations

import datetime as dt

from itp_toolkit.model import Annotation
from itp_toolkit.store.records import DraftSummary, Submission
from itp_toolkit.views.review import (
    history_html,
    history_steps,
    queue_summary,
    review_queue,
    table_html,
    thread_html,
    when_words,
)

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def draft(n: int, owner: str, status: str) -> DraftSummary:
    return DraftSummary(
        id=n, owner=owner, case_id="case-x", latest_revision=3, status=status, created_at=T0, updated_at=T0
    )


def sub(
    n: int, draft_id: int, revision: int, status: str, day: int, decided: str | None = None
) -> Submission:
    return Submission(
        id=n,
        draft_id=draft_id,
        revision=revision,
        status=status,
        submitted_by="x",
        submitted_at=T0 + dt.timedelta(days=day),
        decided_by=decided,
        decided_at=None if decided is None else T0 + dt.timedelta(days=day + 1),
    )


def test_waiting_plans_come_first_longest_waiting_first_then_returned_then_signed_off():
    handed_in = [
        (draft(1, "a", "accepted"), sub(1, 1, 2, "accepted", 1, "sup")),
        (draft(2, "b", "submitted"), sub(2, 2, 3, "submitted", 5)),
        (draft(3, "c", "submitted"), sub(3, 3, 1, "submitted", 2)),
        (draft(5, "e", "returned"), sub(4, 5, 1, "returned", 3, "sup")),
    ]
    names = {"a": "Ann", "b": "Bo", "c": "Cy", "e": "Ed"}
    rows = review_queue(handed_in, names, {"case-x": "A case"})
    assert [r.trainee for r in rows] == ["Cy", "Bo", "Ed", "Ann"]
    assert [(r.revision, r.submitted_at.day) for r in rows] == [(1, 22), (3, 25), (1, 23), (2, 21)]
    assert queue_summary(rows) == "2 plans are waiting for you."
    assert queue_summary([]) == "No plans have been handed in to you yet."


def test_the_history_reads_as_submitted_returned_submitted_signed_off():
    subs = [sub(1, 1, 7, "returned", 0, "dr.lind"), sub(2, 1, 9, "accepted", 3, "dr.lind")]
    steps = history_steps(subs, {"dr.lind": "Dr. Lind"})
    assert [s.split(" on ")[0] for s in steps] == [
        "Submitted revision 7",
        "Returned for revision by Dr. Lind",
        "Submitted revision 9",
        "Signed off by Dr. Lind",
    ]
    assert history_html([]) == '<p class="itp-review-history-empty">Not handed in yet.</p>'


def test_when_words_say_how_long_ago():
    now = T0 + dt.timedelta(days=3, hours=2)
    assert when_words(T0, now) == "20 Nov 2026 (3 days ago)"
    assert when_words(now, now).endswith("(today)") and when_words(None, now) == "—"


def test_tables_escape_cells_and_have_column_headers_and_a_caption():
    html = table_html(["Trainee"], [["<b>x</b>"]], caption="Drafts & more")
    assert '<th scope="col">Trainee</th>' in html and "&lt;b&gt;x" in html
    assert "<caption>Drafts &amp; more</caption>" in html


def test_a_thread_escapes_replies_and_names_people_by_display_name():
    root = Annotation(id=1, draft_id=1, revision=1, author="dr.lind", body="Why?", released=True)
    reply = Annotation(id=2, draft_id=1, revision=2, author="ana", body="<script>x</script>", parent_id=1)
    html = thread_html(root, [reply], {"dr.lind": "Dr. Lind", "ana": "Ana Ruiz"}, "Goal 1.1: Sleep")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Dr. Lind" in html and "Ana Ruiz" in html and "dr.lind" not in html
    assert "Goal 1.1: Sleep — released" in html
