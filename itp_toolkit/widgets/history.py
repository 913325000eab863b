"""The draft's revisions, and what changed between any two of them.

Revisions come from the store (``DraftSession.history()``); the diff from ``itp_toolkit.compare``, which
escapes every piece of plan text before it reaches the ``HTML`` widget.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..compare import changes_html, changes_text, diff_revisions
from ..errors import ITPError
from ..services.drafting import DraftSession
from ..store import RevisionInfo
from ._common import css


def _label(info: RevisionInfo) -> str:
    return f"Revision {info.number} — {info.created_at:%Y-%m-%d %H:%M}"


class RevisionHistory(w.VBox):
    """Pick two saved revisions and read what changed from the first to the second."""

    def __init__(self, session: DraftSession, **kwargs: Any):
        self.session = session
        self.revisions: list[RevisionInfo] = []
        self.older = w.Dropdown(description="From", options=[], _dom_classes=("itp-history-from",))
        self.newer = w.Dropdown(description="To", options=[], _dom_classes=("itp-history-to",))
        self.refresh_button = w.Button(
            description="Refresh", icon="refresh", _dom_classes=("itp-history-refresh",)
        )
        self.summary = w.Label(_dom_classes=("itp-history-summary",))
        self.diff = w.HTML(_dom_classes=("itp-history-diff",))
        self.text = ""
        """The last diff as plain text (for tests and screen readers)."""
        self.refresh_button.on_click(lambda _: self.refresh())
        self.older.observe(lambda _: self.show(), "value")
        self.newer.observe(lambda _: self.show(), "value")
        super().__init__(
            [w.HBox([self.older, self.newer, self.refresh_button]), self.summary, self.diff], **kwargs
        )
        css(self, "itp-history")
        self.refresh()

    def refresh(self) -> None:
        """Reload the list of revisions; by default compare the last two."""
        try:
            self.revisions = self.session.history()
        except ITPError as exc:
            self.summary.value = f"History unavailable: {exc}"
            return
        options = [(_label(r), r.number) for r in self.revisions]
        self.older.options = options
        self.newer.options = options
        if len(self.revisions) >= 2:
            self.older.value = self.revisions[-2].number
            self.newer.value = self.revisions[-1].number
        elif self.revisions:
            self.older.value = self.newer.value = self.revisions[-1].number
        self.show()

    def pick(self, older: int, newer: int) -> str:
        """Compare revision ``older`` with ``newer`` (the Python twin of the two dropdowns)."""
        self.older.value = older
        self.newer.value = newer
        return self.show()

    def show(self) -> str:
        if not self.revisions:
            self.summary.value = "No revisions saved yet."
            self.diff.value = ""
            self.text = ""
            return ""
        a, b = self.older.value, self.newer.value
        if a is None or b is None:
            return ""
        try:
            changes = diff_revisions(self.session.revision_plan(a), self.session.revision_plan(b))
        except ITPError as exc:
            self.summary.value = f"Cannot compare: {exc}"
            return ""
        self.summary.value = (
            f"From revision {a} to revision {b}: {len(changes)} change{'s' if len(changes) != 1 else ''}"
        )
        self.diff.value = changes_html(changes)
        self.text = changes_text(changes)
        return self.text
