""" "My plans": every assigned case with its due date, its state in words and new feedback, as pure rows.

The trainee's list (their own cases, soonest due first) and the supervisor's (per trainee or per case, what
waits for them first) are built here from the store's ``PlanStatus`` records, without widgets; the HTML
table escapes every piece of people's text (names, case titles).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..model.base import isolate
from ..store.records import PlanStatus

STATE_WORDS = {
    "empty": "not started",
    "in_progress": "in progress",
    "submitted": "submitted",
    "returned": "returned for revision",
    "accepted": "signed off",
}
_DONE = ("submitted", "accepted")
"""States in which the trainee has nothing left to do by the due date (no 'overdue')."""


@dataclass(frozen=True)
class PlanRow:
    """One line of a "My plans" table, in words."""

    trainee: str
    name: str
    case_id: str
    case: str
    state: str
    due: str
    overdue: bool
    feedback: str
    waiting: bool
    """Waiting for a supervisor's decision (submitted)."""
    draft_id: int | None
    action: str
    """What the button says: 'Start', 'Continue', 'Revise', 'Open'."""


def state_words(status: str) -> str:
    return STATE_WORDS.get(status, status.replace("_", " "))


def due_words(due_on: dt.date | None, today: dt.date, status: str = "empty") -> tuple[str, bool]:
    """('due in 3 days', False), ('due today', False), ('overdue by 2 days', True), ('no due date', False);
    a plan already handed in or signed off shows its date plainly and is never overdue."""
    if due_on is None:
        return "no due date", False
    if status in _DONE:
        return f"due {due_on.strftime('%d %b %Y').lstrip('0')}", False
    days = (due_on - today).days
    if days < 0:
        return ("overdue by 1 day" if days == -1 else f"overdue by {-days} days"), True
    if days == 0:
        return "due today", False
    if days == 1:
        return "due tomorrow", False
    return f"due in {days} days", False


def feedback_words(count: int) -> str:
    if count <= 0:
        return ""
    return "1 new comment or score" if count == 1 else f"{count} new comments or scores"


def _action(status: str) -> str:
    return {"empty": "Start", "in_progress": "Continue", "returned": "Revise"}.get(status, "Open")


def plan_rows(
    statuses: Sequence[PlanStatus], case_titles: Mapping[str, str], today: dt.date
) -> list[PlanRow]:
    """The rows, in the store's order."""
    rows = []
    for s in statuses:
        due, overdue = due_words(s.due_on, today, s.status)
        rows.append(
            PlanRow(
                trainee=s.trainee,
                name=isolate(s.display_name) + ("" if s.active else " (deactivated)"),
                case_id=s.case_id,
                case=isolate(case_titles.get(s.case_id, "a case not in the library")),
                state=state_words(s.status),
                due=due,
                overdue=overdue,
                feedback=feedback_words(s.new_feedback),
                waiting=s.status == "submitted",
                draft_id=s.draft_id,
                action=_action(s.status),
            )
        )
    return rows


def _due_key(s: PlanStatus) -> tuple[int, dt.date]:
    return (0, s.due_on) if s.due_on is not None else (1, dt.date.max)


def trainee_order(statuses: Sequence[PlanStatus]) -> list[PlanStatus]:
    """A trainee's list: returned plans first (they asked for work), then open ones by due date, then
    what is handed in, then signed off."""
    rank = {"returned": 0, "in_progress": 1, "empty": 1, "submitted": 2, "accepted": 3}
    return sorted(statuses, key=lambda s: (rank.get(s.status, 1), _due_key(s), s.case_id))


def supervisor_order(statuses: Sequence[PlanStatus], by: str = "trainee") -> list[PlanStatus]:
    """A supervisor's list: plans waiting for their decision first (longest waiting first), then the rest
    grouped ``by`` 'trainee' (display name) or 'case', soonest due first."""
    waiting = sorted(
        (s for s in statuses if s.status == "submitted"),
        key=lambda s: (s.submitted_at or dt.datetime.max.replace(tzinfo=dt.UTC), s.trainee),
    )
    rest = [s for s in statuses if s.status != "submitted"]
    if by == "case":
        rest.sort(key=lambda s: (s.case_id, _due_key(s), s.display_name.casefold(), s.trainee))
    else:
        rest.sort(key=lambda s: (s.display_name.casefold(), s.trainee, _due_key(s), s.case_id))
    return [*waiting, *rest]


def summary_words(statuses: Sequence[PlanStatus], today: dt.date) -> str:
    """'3 plans: 1 waiting for you, 1 overdue, 1 signed off' (a supervisor's headline)."""
    waiting = sum(1 for s in statuses if s.status == "submitted")
    overdue = sum(1 for s in statuses if due_words(s.due_on, today, s.status)[1])
    signed = sum(1 for s in statuses if s.status == "accepted")
    parts = [f"{waiting} waiting for you", f"{overdue} overdue", f"{signed} signed off"]
    return f"{len(statuses)} plan{'s' if len(statuses) != 1 else ''}: " + ", ".join(parts)


def plans_table_html(rows: Sequence[PlanRow], *, show_trainee: bool) -> str:
    """The rows as an HTML table (people's text escaped); an empty list says so."""
    if not rows:
        return str(Markup('<p class="itp-plans-empty">{}</p>').format("No cases are assigned yet."))
    head = ["Trainee"] if show_trainee else []
    head += ["Case", "State", "Due", "New feedback"]
    out = [Markup('<table class="itp-plans-table"><thead><tr>')]
    out += [Markup("<th>{}</th>").format(h) for h in head]
    out.append(Markup("</tr></thead><tbody>"))
    for r in rows:
        classes = " ".join(
            c
            for c in ("itp-plan-row", "itp-overdue" if r.overdue else "", "itp-waiting" if r.waiting else "")
            if c
        )
        out.append(Markup('<tr class="{}">').format(classes))
        if show_trainee:
            out.append(Markup("<td>{}</td>").format(r.name))
        out.append(Markup("<td>{}</td><td>{}</td>").format(r.case, r.state))
        out.append(
            Markup('<td class="{}">{}</td>').format("itp-due-overdue" if r.overdue else "itp-due", r.due)
        )
        out.append(Markup("<td>{}</td></tr>").format(r.feedback))
    out.append(Markup("</tbody></table>"))
    return str(escape("").join(out))
