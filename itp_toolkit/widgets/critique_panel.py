"""Live critique beside the editor: findings grouped by family, each a button that focuses its element.

Critique reruns as the trainee types, but at most once per ``delay`` seconds: the first change schedules a
run, later changes before it fires ride along with it, and the run reads the plan as it is by then.
``refresh()`` runs at once (tests, and a 'check now' button). The findings and the individualization score
come from ``itp_toolkit.checks``; grouping and headings from ``itp_toolkit.views.critique_groups``.

A supervisor can overrule a finding: ``dismiss(finding, reason)`` (given an ``on_dismiss`` hook that stores
the
decision) marks it 'not applicable here'. Findings matching ``dismissals`` are shown apart, with the
supervisor's reason, and do not count in the totals.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable

import ipywidgets as w
import traitlets as t

from ..checks import Finding, IndividualizationScore, critique, individualization_score
from ..errors import PermissionDenied
from ..model import CaseStudy, Dismissal, TreatmentPlan
from ..views import critique_groups, severity_totals, split_dismissed
from ._common import Factory, close_tree, css, list_html, text_html

log = logging.getLogger(__name__)

RETIRE_AFTER_SECONDS = 30.0
"""How long a replaced finding row or group lives on, unseen, before it is closed (see ``_retire``)."""

BUTTON_TEXT_MAX = 140
"""Longer messages are cut on the button (the whole message is its tooltip and is shown below it)."""


def _short(text: str, limit: int = BUTTON_TEXT_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class CritiquePanel(w.VBox):
    """Findings on the current draft, grouped by rule family, with the individualization score."""

    plan = t.Instance(
        TreatmentPlan, help="The draft being critiqued; setting it schedules a (debounced) run."
    )
    week = t.Int(None, allow_none=True, help="Exercise week for critique (None: the plan's own week).")
    delay = t.Float(0.3, help="Seconds to wait after a change before critiquing again.")
    findings = t.List(help="The findings of the last run, in critique order.")
    score = t.Instance(IndividualizationScore, allow_none=True, help="The last individualization score.")
    runs = t.Int(0, help="How many times critique has run (to show the debounce at work).")
    dismissals: t.List[Dismissal] = t.List(
        t.Instance(Dismissal), help="Supervisors' 'not applicable here' decisions on this draft."
    )

    def __init__(
        self,
        plan: TreatmentPlan,
        case: CaseStudy,
        *,
        week: int | None = None,
        peers: Iterable[TreatmentPlan] | None = None,
        config=None,
        critique_fn: Callable[..., list[Finding]] = critique,
        score_fn: Callable[[TreatmentPlan, CaseStudy], IndividualizationScore] = individualization_score,
        delay: float = 0.3,
        dismissals: Iterable[Dismissal] = (),
        on_dismiss: Callable[[Finding, str], Dismissal] | None = None,
        **kwargs,
    ):
        self._case = case
        self._on_dismiss = on_dismiss
        self.dismissed: list[tuple[Finding, Dismissal]] = []
        """Findings of the last run a supervisor marked not applicable, with their decisions."""
        self._peers = tuple(peers or ())
        self._config = config
        self._critique = critique_fn
        self._score = score_fn
        self._focus_callbacks: list[Callable[[str], object]] = []
        self._pending: asyncio.TimerHandle | threading.Timer | None = None
        self._lock = threading.Lock()
        self._make = Factory()
        self._rows: dict[Finding, w.VBox] = {}
        self._groups: dict[str, tuple[w.VBox, w.HTML]] = {}
        self._retired: list[tuple[float, w.Widget]] = []
        self.score_label = w.Label(_dom_classes=("itp-score",))
        self.score_bar = w.IntProgress(
            min=0, max=100, layout=w.Layout(width="200px"), _dom_classes=("itp-score-bar",)
        )
        self.totals = w.Label(_dom_classes=("itp-critique-totals",))
        self.status = w.Label(_dom_classes=("itp-critique-status",))
        self.unused = w.VBox(_dom_classes=("itp-facts-unused",))
        self.unused_heading = w.HTML(
            text_html("Not yet used from this case", "h4"), _dom_classes=("itp-facts-unused-heading",)
        )
        self.unused_list = w.HTML(_dom_classes=("itp-facts-unused-list",))
        self.groups_box = w.VBox(_dom_classes=("itp-critique-groups",))
        self.dismissed_box = w.VBox(_dom_classes=("itp-critique-dismissed",))
        self.finding_buttons: list[w.Button] = []
        self.check_now = w.Button(
            description="Check now", layout=w.Layout(width="auto"), _dom_classes=("itp-critique-refresh",)
        )
        self.check_now.on_click(lambda _b: self.refresh())
        super().__init__(**kwargs)
        css(self, "itp-critique-panel")
        self.delay = delay
        self.week = week
        self.children = [
            w.HBox([self.score_label, self.score_bar, self.check_now]),
            self.totals,
            self.status,
            self.groups_box,
            self.dismissed_box,
            self.unused,
        ]
        self.dismissals = list(dismissals)
        self._ready = True
        self.plan = plan
        self.refresh()

    # --- public API ----------------------------------------------------------------------------------------

    def on_focus(self, callback: Callable[[str], object], remove: bool = False) -> None:
        """Call ``callback(element_id)`` when a finding is clicked (the editor's ``focus``)."""
        if remove:
            self._focus_callbacks.remove(callback)
        else:
            self._focus_callbacks.append(callback)

    def focus(self, element_id: str) -> None:
        """What clicking a finding does: ask whoever listens to show that element."""
        for callback in list(self._focus_callbacks):
            callback(element_id)

    def dismiss(self, finding: Finding, reason: str) -> Dismissal:
        """A supervisor marks ``finding`` 'not applicable here' with a reason; the hook stores the
        decision."""
        if self._on_dismiss is None:
            raise PermissionDenied("only a supervisor reviewing this draft can mark a finding not applicable")
        decision = self._on_dismiss(finding, reason)
        self.dismissals = [*self.dismissals, decision]
        return decision

    @t.observe("dismissals")
    def _dismissals_changed(self, change) -> None:
        if getattr(self, "_ready", False):
            self._render()

    def refresh(self) -> None:
        """Critique the current plan now (cancelling a scheduled run)."""
        self._cancel()
        plan = self.plan
        findings = self._critique(plan, self._case, config=self._config, peers=self._peers, week=self.week)
        score = self._score(plan, self._case)
        self.runs += 1
        self.findings = list(findings)
        self.score = score
        self._render()

    def close(self) -> None:
        self._cancel()
        for _, widget in self._retired:
            close_tree(widget)
        self._retired = []
        super().close()

    # --- debounce --------------------------------------------------------------------------------------------

    @t.observe("plan", "week")
    def _changed(self, change) -> None:
        if getattr(self, "_ready", False):
            self._schedule()

    def _schedule(self) -> None:
        with self._lock:
            if self._pending is not None:
                return  # a run is already due; it will read the latest plan
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                timer = threading.Timer(self.delay, self._fire)
                timer.daemon = True
                self._pending = timer
                timer.start()
            else:  # in a kernel: stay on its event loop, where widget messages belong
                self._pending = loop.call_later(self.delay, self._fire)

    def _cancel(self) -> None:
        with self._lock:
            if self._pending is not None:
                self._pending.cancel()
                self._pending = None

    def _fire(self) -> None:
        with self._lock:
            self._pending = None
        try:
            self.refresh()
        except Exception as exc:  # a failing rule must not take the trainee's editor down with it
            log.exception("critique failed")
            self.status.value = f"Critique could not run: {exc}"

    # --- rendering -----------------------------------------------------------------------------------------

    def _finding_row(self, finding: Finding) -> w.VBox:
        make = self._make
        button = make(
            w.Button,
            description=_short(finding.message),
            tooltip=finding.message,
            disabled=finding.element_id is None,
            layout=make.layout(width="100%", height="auto"),
            classes=(
                "itp-finding",
                f"itp-finding-{finding.severity}",
            ),
        )
        if finding.element_id is not None:
            button.on_click(lambda _b, eid=finding.element_id: self.focus(eid))
        button.finding = finding  # so tests and callers can tell which finding a button is
        parts: list[w.Widget] = [button]
        if len(finding.message) > BUTTON_TEXT_MAX:
            parts.append(make(w.HTML, text_html(finding.message), classes=("itp-finding-message",)))
        if finding.suggestion:
            parts.append(make(w.HTML, text_html(f"Try: {finding.suggestion}"), classes=("itp-suggestion",)))
        if finding.evidence:
            parts.append(make(w.HTML, list_html(finding.evidence), classes=("itp-evidence",)))
        row = make(w.VBox, parts, classes=("itp-finding-row",))
        row.button = button
        return row

    def _render(self) -> None:
        """Show the findings. Rows of findings still there, and each family's group box, are kept and updated,
        so a rerun sends little; what is replaced is closed only later (``_retire``)."""
        make = self._make
        rows: dict[Finding, w.VBox] = {}
        groups = []
        seen: set[str] = set()
        active, self.dismissed = split_dismissed(self.findings, self.dismissals)
        for group in critique_groups(active):
            for f in group.findings:
                rows[f] = self._rows.pop(f, None) or rows.get(f) or self._finding_row(f)
            heading_html = text_html(group.heading, "h4")
            if group.family in self._groups:
                box, heading = self._groups[group.family]
                if heading.value != heading_html:
                    heading.value = heading_html
            else:
                heading = make(w.HTML, heading_html, classes=("itp-finding-group-heading",))
                box = make(
                    w.VBox,
                    classes=(
                        "itp-finding-group",
                        f"itp-family-{group.family}",
                    ),
                )
                self._groups[group.family] = (box, heading)
            children = (heading, *(rows[f] for f in group.findings))
            if tuple(box.children) != children:
                box.children = children
            groups.append(box)
            seen.add(group.family)
        stale, self._rows = self._rows, rows
        self.finding_buttons = [rows[f].button for f in active if f in rows]
        self.groups_box.children = groups
        self._render_dismissed()
        gone = [family for family in self._groups if family not in seen]
        self._retire([part for family in gone for part in self._groups.pop(family)] + list(stale.values()))
        totals = severity_totals(active)
        self.totals.value = (
            ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for s, n in totals.items())
            if active
            else "No findings: nothing to fix that the checks can see."
        )
        self.status.value = ""
        if self.score is not None:
            self.score_label.value = f"Individualization: {self.score.score}/100"
            self.score_bar.value = self.score.score
            ignored = self.score.facts_ignored
            self.unused_list.value = list_html(ignored) if ignored else ""
            self.unused.children = (self.unused_heading, self.unused_list) if ignored else ()

    def _render_dismissed(self) -> None:
        """Findings a supervisor marked not applicable: the finding and the reason, apart from the rest."""
        old = list(self.dismissed_box.children)
        if not self.dismissed:
            self.dismissed_box.children = ()
        else:
            make = self._make
            heading = make(
                w.HTML,
                text_html("Marked not applicable here by your supervisor", "h4"),
                classes=("itp-dismissed-heading",),
            )
            rows = [
                make(
                    w.HTML,
                    text_html(f"{finding.message} — Reason: {decision.reason}"),
                    classes=("itp-finding-dismissed",),
                )
                for finding, decision in self.dismissed
            ]
            self.dismissed_box.children = (heading, *rows)
        self._retire(old)

    def _retire(self, widgets: Iterable[w.Widget]) -> None:
        """Close replaced widgets a while later, not at once: the browser may still be building views of
        them from the previous update, and a model closed under a box that still lists it fails that box's
        update ("widget model not found"; voila #143 is the same hazard)."""
        now = time.monotonic()
        keep = []
        for retired_at, widget in self._retired:
            if now - retired_at >= RETIRE_AFTER_SECONDS:
                close_tree(widget)
            else:
                keep.append((retired_at, widget))
        self._retired = keep + [(now, widget) for widget in widgets]


def connect_critique(editor, panel: CritiquePanel) -> None:
    """Wire an editor and a panel: edits reach the panel, the panel critiques at the editor's exercise week
    (so events revealed since the plan was written call for a revision), and clicked findings focus the editor."""
    editor.observe(lambda change: setattr(panel, "plan", change["new"]), "plan")
    t.dlink((editor, "week"), (panel, "week"))
    panel.on_focus(editor.focus)
