"""Live critique beside the editor: one finding per cause, grouped by plan element and severity, in one block.

Critique reruns as the trainee types, but at most once per ``delay`` seconds: the first change schedules a
run, later changes before it fires ride along with it, and the run reads the plan as it is by then.
``refresh()`` runs at once (tests, and a 'check now' button). The findings and the individualization score
come from ``itp_toolkit.checks``; grouping and the HTML from ``itp_toolkit.views.critique``. Each group's
heading links to the element's anchor in the editor: the browser scrolls there and the stylesheet
highlights it (``:target``), with no round trip to the kernel; ``focus(element_id)`` is the Python twin.

A supervisor can overrule a finding: ``dismiss(finding, reason)`` (given an ``on_dismiss`` hook that stores
the
decision) marks it 'not applicable here'. Findings matching ``dismissals`` are shown apart, with the
supervisor's reason, and do not count in the totals.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable

import ipywidgets as w
import traitlets as t

from ..checks import Finding, IndividualizationScore, critique, individualization_score
from ..errors import PermissionDenied
from ..model import CaseStudy, Dismissal, TreatmentPlan
from ..views import split_dismissed
from ..views.critique import ElementFindings, critique_html, findings_by_element
from ._common import auto_layout, css, shared

log = logging.getLogger(__name__)


class CritiquePanel(w.VBox):
    """Findings on the current draft, grouped by rule family, with the individualization score."""

    plan = t.Instance(
        TreatmentPlan, help="The draft being critiqued; setting it schedules a (debounced) run."
    )
    week = t.Int(None, allow_none=True, help="Exercise week for critique (None: the plan's own week).")
    delay = t.Float(0.3, help="Seconds to wait after a change before critiquing again.")
    findings: t.List[Finding] = t.List(help="The findings of the last run, in critique order.")
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
        self.groups: list[ElementFindings] = []
        """The findings shown, by plan element, worst first (one per cause)."""
        self.shown_findings: list[Finding] = []
        make = shared()
        self.check_now = make(
            w.Button,
            description="Check now",
            tooltip="Run the checks on the plan as it is now",
            layout=auto_layout(),
            classes=("itp-critique-refresh",),
        )
        self.check_now.on_click(lambda _b: self.refresh())
        self.status = make(w.Label, classes=("itp-critique-status",))
        self.report = make(w.HTML, classes=("itp-critique-report",))
        super().__init__(**kwargs)
        css(self, "itp-critique-panel")
        self.delay = delay
        self.week = week
        self.children = [self.report, self.check_now, self.status]
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
        super().close()

    # --- debounce ----------------------------------------------------------------------------------------

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

    def _render(self) -> None:
        """Show the findings: one HTML block from ``views.critique_html`` (one update per run, however many
        findings), each finding's heading a link that scrolls the editor to its element and highlights it."""
        active, self.dismissed = split_dismissed(self.findings, self.dismissals)
        self.groups = findings_by_element(active, self.plan)
        self.shown_findings = [f for g in self.groups for f in g.findings]
        value = '<h3 class="itp-critique-heading">Critique</h3>' + critique_html(
            active, self.plan, score=self.score, dismissed=self.dismissed
        )
        if self.report.value != value:
            self.report.value = value
        self.status.value = ""


def connect_critique(editor, panel: CritiquePanel) -> None:
    """Wire an editor and a panel: edits reach the panel, the panel critiques at the editor's exercise week
    (events revealed since the plan was written call for a revision); ``panel.focus`` focuses the editor."""
    editor.observe(lambda change: setattr(panel, "plan", change["new"]), "plan")
    t.dlink((editor, "week"), (panel, "week"))
    panel.on_focus(editor.focus)
