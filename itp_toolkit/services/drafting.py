"""A trainee's drafting session: the plan being typed, and whether the store has it yet.

The one promise this module keeps: **typed work is never lost and never silently overwrites a save.**
- every edit marks the session ``unsaved``; ``save()`` appends a revision based on the last one it saved;
- if the database is down or refuses the write, the session goes to ``error`` with the reason, keeps the
  plan exactly as typed, and the next ``save()`` (or autosave) tries again;
- if someone (another tab) saved since, the store raises StaleRevision; the session goes to ``error`` with
  a conflict message and keeps the local plan. The trainee then chooses: ``reload_latest()`` (the local
  plan is set aside in ``set_aside``, not thrown away) or ``save_as_new_from_latest()`` (the local plan
  becomes the next revision; the other save stays in the history, since revisions are append-only).
- a save cut off by the outage may have committed anyway (the server died after COMMIT arrived but before
  it answered). The session remembers what it tried to save; when the retry then meets StaleRevision and the
  one newer revision holds exactly one of those plans, that revision *is* this session's save: it is adopted,
  not reported as a conflict and not saved a second time.

No widgets here: the autosave indicator renders ``status`` and calls these methods; tests drive it directly.
The clock is passed in, so "autosave is due" is deterministic in tests.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError

from ..errors import InputProblem, InvalidInput, NotFound, PermissionDenied, StaleRevision, StoreUnavailable
from ..model import CaseStudy, EventRevision, TreatmentPlan
from ..model.base import Clock, utc_now
from ..model.plan import plan_changes
from ..store import PlanStore, RevisionInfo, Submission, draft_status

SaveState = Literal["saved", "unsaved", "saving", "error"]

LOCKED_STATUSES = ("submitted", "accepted")
"""Draft statuses in which the trainee may not change the plan (the store refuses the save anyway)."""


_log = logging.getLogger(__name__)

UNREACHABLE_MESSAGE = (
    "Not saved: the plan store (database) is unreachable right now. Your text is kept on this page and "
    "will be saved automatically when the store is back."
)
"""What a trainee sees during an outage. The driver's own error (host, port) is for logs, not for the page."""
MAX_UNCONFIRMED = 50
"""How many failed-with-unknown-outcome plans a session remembers to recognise its own save later."""


def _same_plan(a: TreatmentPlan, b: TreatmentPlan) -> bool:
    """Equal as stored (the JSON form), so a plan read back from the store matches the one that was sent."""
    return a == b or a.model_dump(mode="json") == b.model_dump(mode="json")


@dataclass(frozen=True)
class SaveStatus:
    """What the autosave indicator shows."""

    state: SaveState
    message: str
    revision: int
    """The last revision this session saved or loaded (0: nothing saved yet)."""
    conflict_with: int | None = None
    """When another save got there first: the revision that is now the latest."""


class DraftSession:
    """One trainee working on one draft: the current plan and its save state."""

    def __init__(
        self,
        store: PlanStore,
        draft_id: int,
        actor: str,
        *,
        case: CaseStudy | None = None,
        clock: Clock | None = None,
    ):
        self._store = store
        self.draft_id = draft_id
        self.actor = actor
        self.case = case
        self._clock = clock or utc_now
        summary = store.get_draft(draft_id, actor=actor)
        self.case_id = summary.case_id
        self.draft_status = summary.status
        if summary.latest_revision:
            # Reopening the page: carry on from the latest save.
            self._plan = store.get_revision(draft_id, actor=actor)
        else:
            self._plan = store.blank_plan(draft_id, actor=actor)
        self._revision = summary.latest_revision
        self._state: SaveState = "saved"
        self._message = "All changes saved" if self._revision else "Nothing saved yet"
        self._conflict_with: int | None = None
        self.last_edit_at: dt.datetime | None = None
        self.last_saved_at: dt.datetime | None = None
        self.set_aside: TreatmentPlan | None = None
        """The local plan put aside by ``reload_latest()``, so a conflict never destroys typed work."""
        self._bases: dict[str, TreatmentPlan] = {}
        """Event id -> the plan as it stood when revising for that event began (this session)."""
        self._loaded = self._plan
        """The plan as loaded from the store: for events revised for before this session, what changed is the
        stored record plus the changes since this plan."""
        self._listeners: list[Callable[[DraftSession], None]] = []
        self._unconfirmed: list[TreatmentPlan] = []
        """Plans sent in saves based on ``_revision`` that failed with an unknown outcome (the database went
        away); one of them may have been committed. Emptied by every confirmed save."""

    # ------------------------------------------------------------------ reading

    @property
    def plan(self) -> TreatmentPlan:
        return self._plan

    @property
    def revision(self) -> int:
        return self._revision

    @property
    def state(self) -> SaveState:
        return self._state

    @property
    def status(self) -> SaveStatus:
        return SaveStatus(self._state, self._message, self._revision, self._conflict_with)

    @property
    def locked(self) -> bool:
        """Submitted and waiting, or signed off: the plan is read-only for the trainee."""
        return self.draft_status in LOCKED_STATUSES

    def on_change(self, listener: Callable[[DraftSession], None]) -> None:
        """Call ``listener(session)`` after every change of plan or state (widgets re-render on it)."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _set(self, state: SaveState, message: str, conflict_with: int | None = None) -> None:
        self._state = state
        self._message = message
        self._conflict_with = conflict_with
        self._notify()

    # ------------------------------------------------------------------ editing and saving

    def edit(self, plan: TreatmentPlan) -> None:
        """Take the plan as the trainee now has it; it is saved by the next ``save()``.

        For every event the plan is revised for, the record of what changed for it is brought up to date
        (see ``_with_event_records``), so 'revised' means something in the plan changed.
        """
        plan = self._with_event_records(plan)
        if plan == self._plan:
            return
        if self.locked:
            raise PermissionDenied(
                "this plan is signed off"
                if self.draft_status == "accepted"
                else "this plan is submitted: wait until your supervisor returns it"
            )
        if plan.case_id != self.case_id:
            raise InvalidInput([InputProblem(f"this draft is for case {self.case_id!r}", field="case_id")])
        self._plan = plan
        self.last_edit_at = self._clock()
        if self._state == "error" and self._conflict_with is not None:
            # Still in conflict: keep saying so until the trainee chooses what to do.
            self._notify()
            return
        self._set("unsaved", "Unsaved changes")

    def _with_event_records(self, plan: TreatmentPlan) -> TreatmentPlan:
        """``plan`` with ``event_revisions`` recomputed: for an event revised for in this session, the
        elements
        and sections that differ from the plan when revising began (an edit undone is no change); for one
        revised for before this session, its stored record plus what changed since the plan was loaded. An
        event
        newly ticked as revised for starts its record here, whichever way it was ticked."""
        previous = self._plan
        for event_id in plan.revised_for_events:
            if event_id not in previous.revised_for_events:
                self._bases.setdefault(event_id, previous)
        loaded = {r.event_id: r for r in self._loaded.event_revisions}
        records: list[EventRevision] = []
        for event_id in plan.revised_for_events:
            base = self._bases.get(event_id)
            if base is not None:
                elements, sections = plan_changes(base, plan)
            elif event_id in loaded:
                elements, sections = plan_changes(self._loaded, plan)
                elements = list(dict.fromkeys([*loaded[event_id].changed_elements, *elements]))
                sections = list(dict.fromkeys([*loaded[event_id].changed_sections, *sections]))
            else:
                continue  # revised for outside the drafting session: taken at its word, as before
            records.append(
                EventRevision(event_id=event_id, changed_elements=elements, changed_sections=sections)  # type: ignore[arg-type]
            )
        if records == plan.event_revisions:
            return plan
        return plan.model_copy(update={"event_revisions": records})

    def autosave_due(self, delay_seconds: float) -> bool:
        """True when there are unsaved (or failed) changes and the trainee stopped typing ``delay_seconds``
        ago.

        A conflict is never autosaved: it needs the trainee's decision.
        """
        if self._state not in ("unsaved", "error") or self._conflict_with is not None or self.locked:
            return False
        if self.last_edit_at is None:
            return self._state == "error"
        return (self._clock() - self.last_edit_at).total_seconds() >= delay_seconds

    def save(self) -> RevisionInfo | None:
        """Append the plan as the next revision; on failure keep it and say why. Returns the new revision."""
        if self._state == "saved":
            return None
        if self._conflict_with is not None:
            self._notify()
            return None
        return self._save(based_on=self._revision)

    def _save(self, *, based_on: int) -> RevisionInfo | None:
        plan = self._plan
        self._set("saving", "Saving…")
        try:
            info = self._store.save_revision(self.draft_id, plan, based_on=based_on, actor=self.actor)
        except StaleRevision as exc:
            try:
                adopted = self._adopt_unconfirmed_save(based_on, exc.latest_revision)
            except (StoreUnavailable, SQLAlchemyError, OSError):
                self._set("error", UNREACHABLE_MESSAGE)  # gone again before we could tell: retry later
                return None
            if adopted is not None:
                self.last_saved_at = self._clock()
                self._saved_status()
                if not _same_plan(self._plan, adopted):
                    return self._save(based_on=self._revision)  # typed on since: that text needs its own save
                self._set("saved", f"Saved as revision {self._revision} at {self.last_saved_at:%H:%M}")
                return None
            self._set(
                "error",
                f"Not saved: this plan was saved elsewhere (another tab or window) as revision "
                f"{exc.latest_revision} after your revision {based_on}. Your text is still here. Choose "
                "'Load the latest' (your text is kept aside) or 'Save mine as new' (both stay in the "
                "history).",
                conflict_with=exc.latest_revision,
            )
            return None
        except StoreUnavailable as exc:
            _log.warning("draft %s: save based on revision %s failed: %s", self.draft_id, based_on, exc)
            self._remember_unconfirmed(plan, based_on)
            self._set("error", UNREACHABLE_MESSAGE)
            return None
        except InvalidInput as exc:
            self._set("error", f"Not saved: {exc}")
            return None
        except PermissionDenied as exc:
            self._set("error", f"Not saved: {exc}")
            return None
        except (SQLAlchemyError, OSError) as exc:
            self._remember_unconfirmed(plan, based_on)
            self._set(
                "error",
                f"Not saved, the database failed ({type(exc).__name__}). Your text is kept; retrying.",
            )
            return None
        self._revision = info.number
        self._unconfirmed.clear()
        self.last_saved_at = self._clock()
        self._saved_status()
        if self._plan == plan:
            self._set("saved", f"Saved as revision {info.number} at {self.last_saved_at:%H:%M}")
        else:
            # The trainee typed while we were saving: that newer text still needs a save.
            self._set("unsaved", "Unsaved changes")
        return info

    def _saved_status(self) -> None:
        """A save moves a draft that was never handed in from 'empty' to 'in_progress' (the store's rule,
        ``draft_status``), with no store read: listeners (the page's banner) see the draft's state follow."""
        if self.draft_status == "empty":
            self.draft_status = draft_status(self._revision, None)

    def _remember_unconfirmed(self, plan: TreatmentPlan, based_on: int) -> None:
        if based_on != self._revision:
            return  # a conflict resolution's save: its base is not this session's revision
        if not any(_same_plan(plan, p) for p in self._unconfirmed):
            self._unconfirmed.append(plan)
            del self._unconfirmed[:-MAX_UNCONFIRMED]

    def _adopt_unconfirmed_save(self, based_on: int, latest: int) -> TreatmentPlan | None:
        """The plan of revision ``latest`` when it is a save of ours whose answer was lost in the outage (and
        ``_revision`` moved on to it); else None. Anything else stays a conflict: the trainee decides."""
        if not self._unconfirmed or based_on != self._revision or latest != based_on + 1:
            return None
        stored = self._store.get_revision(self.draft_id, latest, actor=self.actor)
        if not any(_same_plan(stored, p) for p in self._unconfirmed):
            return None
        self._revision = latest
        self._unconfirmed.clear()
        return stored

    def reload_latest(self) -> TreatmentPlan:
        """Resolve a conflict by taking the latest saved plan; the local one goes to ``set_aside``."""
        self.set_aside = self._plan
        latest = self._store.get_draft(self.draft_id, actor=self.actor)
        self.draft_status = latest.status
        self._plan = self._store.get_revision(self.draft_id, actor=self.actor)
        self._loaded, self._bases = self._plan, {}
        self._revision = latest.latest_revision
        self._set("saved", f"Loaded revision {self._revision}; your unsaved text is kept aside")
        return self.set_aside

    def save_as_new_from_latest(self) -> RevisionInfo | None:
        """Resolve a conflict by saving the local plan on top of the latest one (nothing is overwritten)."""
        latest = self._store.get_draft(self.draft_id, actor=self.actor).latest_revision
        self._conflict_with = None
        return self._save(based_on=latest)

    # ------------------------------------------------------------------ supervision and revision

    def submit(self) -> Submission:
        """Save anything pending, then hand the latest revision in for supervision."""
        if self._state != "saved":
            self.save()
            if self._state != "saved":
                raise StoreUnavailable(
                    f"the plan could not be saved, so it was not submitted: {self._message}"
                )
        submission = self._store.submit_draft(self.draft_id, revision=self._revision, actor=self.actor)
        self.draft_status = "submitted"
        self._set("saved", f"Submitted revision {submission.revision} for supervision")
        return submission

    def refresh_status(self) -> str:
        """Ask the store whether the supervisor has returned or accepted the draft."""
        self.draft_status = self._store.get_draft(self.draft_id, actor=self.actor).status
        self._notify()
        return self.draft_status

    def revise(self, event_id: str | None = None, *, week: int | None = None) -> TreatmentPlan:
        """Start a revision: after a timeline event (``event_id``) or after feedback (``week``, or as is).

        The plan's ``written_at_week`` moves to the event's week (never backwards) and the event is recorded
        in ``revised_for_events``, so critique knows what the plan claims to have taken into account. Pressing
        Revise changes nothing in the care planned: the event's record starts empty, and the revision counts
        once the trainee changes something for it.
        """
        self.refresh_status()
        if self.locked:
            raise PermissionDenied(
                "this plan is signed off"
                if self.draft_status == "accepted"
                else "this plan is submitted: wait until your supervisor returns it"
            )
        new_week = self._plan.written_at_week
        events = list(self._plan.revised_for_events)
        if event_id is not None:
            if self.case is None:
                raise NotFound("the case is needed to revise for a timeline event")
            event = next((e for e in self.case.timeline if e.id == event_id), None)
            if event is None:
                raise NotFound(f"case {self.case.id!r} has no timeline event {event_id!r}")
            new_week = max(new_week, event.week)
            if event_id not in events:
                events.append(event_id)
        if week is not None:
            new_week = max(new_week, week)
        updated = self._plan.model_copy(deep=True)
        updated.written_at_week = new_week
        updated.revised_for_events = events
        self.edit(updated)
        return self._plan

    def history(self) -> list[RevisionInfo]:
        """Every saved revision of the draft, oldest first."""
        return self._store.list_revisions(self.draft_id, actor=self.actor)

    def revision_plan(self, number: int) -> TreatmentPlan:
        return self._store.get_revision(self.draft_id, number, actor=self.actor)


def revisable_events(case: CaseStudy, plan: TreatmentPlan, week: int) -> list[str]:
    """Ids of timeline events revealed by ``week`` that the plan has not yet been revised for."""
    done: Iterable[str] = plan.revised_for_events
    return [e.id for e in case.events_until(week) if e.id not in set(done)]
