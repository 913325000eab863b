"""The draft's history, one entry per sitting, and what changed between any two of them.

Revisions come from the store (``DraftSession.history()``; every revision stays there); they are offered
one per sitting (``views.history.sittings``: the saves of one go at the desk), each standing for the last
revision saved in it. The diff comes from ``itp_toolkit.compare``, which escapes every piece of plan text
before it reaches the ``HTML`` widget.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..compare import changes_html, changes_text, diff_revisions
from ..errors import ITPError
from ..services.drafting import DraftSession
from ..store import RevisionInfo
from ..views.history import Sitting, sittings
from ._common import auto_layout, css, shared


class RevisionHistory(w.VBox):
    """Pick two saved revisions and read what changed from the first to the second."""

    def __init__(self, session: DraftSession, **kwargs: Any):
        self.session = session
        self.revisions: list[RevisionInfo] = []
        self.sittings: list[Sitting] = []
        wide = w.Layout(width="auto", min_width="22em")
        self.older = w.Dropdown(
            description="From", options=[], layout=wide, _dom_classes=("itp-history-from",)
        )
        self.newer = w.Dropdown(description="To", options=[], layout=wide, _dom_classes=("itp-history-to",))
        self.older.style.description_width = "3em"
        self.newer.style = self.older.style
        self.refresh_button = w.Button(
            description="Refresh",
            tooltip="Reload the list of saved versions",
            layout=auto_layout(),
            _dom_classes=("itp-history-refresh",),
        )
        make = shared()
        self.summary = make(w.Label, classes=("itp-history-summary",))
        self.diff = make(w.HTML, classes=("itp-history-diff",))
        self.text = ""
        """The last diff as plain text (for tests and screen readers)."""
        self.refresh_button.on_click(lambda _: self.refresh())
        self._quiet = False
        self.older.observe(lambda _: None if self._quiet else self.show(), "value")
        self.newer.observe(lambda _: None if self._quiet else self.show(), "value")
        super().__init__(
            [
                make(w.HBox, [self.older, self.newer, self.refresh_button], classes=("itp-toolbar",)),
                self.summary,
                self.diff,
            ],
            **kwargs,
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
        self.sittings = sittings(self.revisions)
        # One entry per sitting (its last save); the very first save too, to compare with the beginning.
        options = [(s.label, s.last.number) for s in self.sittings]
        if self.revisions and self.revisions[0].number not in {v for _, v in options}:
            first = self.revisions[0]
            options.insert(
                0,
                (f"The first save ({first.created_at:%d %b %H:%M}) · revision {first.number}", first.number),
            )
        self._showing = False
        self._quiet = True
        try:
            self.older.options = options
            self.newer.options = options
            if len(options) >= 2:
                self.older.value, self.newer.value = options[-2][1], options[-1][1]
            elif options:
                self.older.value = self.newer.value = options[-1][1]
        finally:
            self._quiet = False
        self.show()

    def pick(self, older: int, newer: int) -> str:
        """Compare revision ``older`` with ``newer`` (any two saved revisions; the dropdowns offer one per
        sitting)."""
        self._quiet = True
        try:
            for dropdown, number in ((self.older, older), (self.newer, newer)):
                if number not in [v for _, v in dropdown.options]:
                    dropdown.options = sorted(
                        {*dropdown.options, (f"Revision {number}", number)}, key=lambda o: o[1]
                    )
                dropdown.value = number
        finally:
            self._quiet = False
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
        n = len(self.sittings)
        self.summary.value = (
            f"{n} sitting{'s' if n != 1 else ''}, {len(self.revisions)} saves kept. "
            f"From revision {a} to revision {b}: {len(changes)} change{'s' if len(changes) != 1 else ''}"
        )
        self.diff.value = changes_html(changes)
        self.text = changes_text(changes)
        return self.text
