"""A trainee answers a supervisor's released comment on their own draft (issue 16 item 1)."""

from __future__ import annotations

import pytest

from itp_toolkit.errors import NotFound, PermissionDenied
from tests.compare.review_clinic import open_review_clinic


@pytest.fixture
def clinic(tmp_path):
    yield from open_review_clinic(tmp_path)


def test_the_owner_replies_to_a_released_comment_and_both_sides_read_it(clinic):
    store = clinic.store
    draft = clinic.drafts["ana"].draft_id
    note = store.add_annotation(draft, "Whose goal is this?", element_id="gol-exama", actor="dr.okafor")
    store.release_feedback(draft, actor="dr.okafor")
    reply = store.reply(note.id or 0, "Hers: reworded with her", actor="ana")
    assert (reply.parent_id, reply.element_id, reply.released) == (note.id, "gol-exama", True)
    assert "Hers: reworded with her" in [a.body for a in store.list_annotations(draft, actor="ana")]
    assert "Hers: reworded with her" in [a.body for a in store.list_annotations(draft, actor="dr.okafor")]


def test_an_unreleased_comment_cannot_be_answered_by_the_trainee(clinic):
    store = clinic.store
    draft = clinic.drafts["ana"].draft_id
    note = store.add_annotation(draft, "Draft thought", actor="dr.okafor")
    with pytest.raises(NotFound):
        store.reply(note.id or 0, "I saw nothing", actor="ana")


def test_another_trainee_cannot_answer_in_someone_elses_thread(clinic):
    store = clinic.store
    draft = clinic.drafts["ana"].draft_id
    note = store.add_annotation(draft, "Why this measure?", actor="dr.okafor")
    store.release_feedback(draft, actor="dr.okafor")
    with pytest.raises(PermissionDenied):
        store.reply(note.id or 0, "Not mine", actor="ben")
    with pytest.raises(PermissionDenied):
        store.resolve(note.id or 0, actor="ana")  # resolving stays the supervisor's
