"""How many messages a page sends to the browser: a large plan's editor once sent ~2,200 on opening, and
under load some were lost between kernel and browser (boxes listing children the browser never heard of,
"widget model not found"; the page came up without its editor). Counted, not timed."""

from __future__ import annotations

import ipywidgets as w
import pytest

from itp_toolkit.widgets import PlanEditor
from itp_toolkit.widgets._common import Factory


@pytest.fixture
def updates(monkeypatch) -> list[tuple[str, object]]:
    """Every state update a widget sends after it was opened (the opening message carries its state)."""
    sent: list[tuple[str, object]] = []
    original = w.Widget.send_state

    def send_state(self, key=None):
        sent.append((type(self).__name__, key))
        return original(self, key)

    monkeypatch.setattr(w.Widget, "send_state", send_state)
    return sent


def test_css_classes_given_to_the_factory_travel_in_the_opening_message(updates):
    label = Factory()(w.Label, "x", classes=("itp-a", "itp-b"))
    assert label._dom_classes == ("itp-a", "itp-b")
    assert updates == []


def test_the_editor_of_a_full_reference_plan_sends_fewer_updates_than_it_opens_widgets(
    college_case, updates, monkeypatch
):
    opened: list[str] = []
    original = w.Widget.open
    monkeypatch.setattr(
        w.Widget, "open", lambda self: (opened.append(type(self).__name__), original(self))[1]
    )
    editor = PlanEditor(college_case.reference_plan, college_case)
    assert editor.cards
    # ~760 widgets; before classes went into the opening message the updates were ~1,100 (776 of them classes)
    assert len(updates) < len(opened) * 0.7, (len(updates), len(opened))
    assert not [u for u in updates if u[1] == "_dom_classes"]
