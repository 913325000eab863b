"""Supervisors overrule the critique: a finding marked 'not applicable here', with the reason.

The decision is feedback on the draft, like a comment: written by a supervisor who may give feedback on the
draft, seen by the trainee once feedback is released (``feedback.release``), never by classmates. It names
the finding by its rule, the plan element it is about and, for whole-plan findings, the case fact it is about
(``Finding.subject``), so it holds across revisions for as long as that finding would be raised. Withdrawing
it keeps the row (the feedback record is kept) and the finding counts again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputProblem, InvalidInput, NotFound
from ..model import Dismissal
from .core import StoreCore
from .database import transaction
from .guards import acting_person, feedback_draft, readable_draft
from .inputs import validated
from .reads import chosen_revision
from .schema import FindingDismissalRow


class DismissalMethods(StoreCore):
    """Critique decisions (a mixin of :class:`~itp_toolkit.store.PlanStore`)."""

    @transaction(write=True)
    def dismiss_finding(
        self,
        db: Session,
        draft_id: int,
        finding: Any,
        reason: str,
        *,
        revision: int | None = None,
        actor: str,
    ) -> Dismissal:
        """Mark one critique ``finding`` (a ``checks.Finding``) not applicable to this draft, with the reason
        the trainee will read. Supervisors who may give feedback on the draft only."""
        from ..checks.findings import RULES

        feedback_draft(db, acting_person(db, actor), draft_id)
        number = chosen_revision(
            db, draft_id, revision, nothing_saved="there is no saved plan to decide on yet"
        )
        rule = getattr(finding, "rule", "")
        if rule not in RULES:
            raise InvalidInput([InputProblem(f"{rule!r} is not a critique rule", field="rule")])
        checked = validated(
            Dismissal,
            {
                "draft_id": draft_id,
                "revision": number,
                "rule": rule,
                "element_id": getattr(finding, "element_id", None),
                "subject": getattr(finding, "subject", None),
                "reason": reason,
                "author": actor,
            },
            f"decision on draft {draft_id}",
        )
        row = FindingDismissalRow(
            draft_id=draft_id,
            revision=number,
            rule=checked.rule,
            element_id=checked.element_id,
            subject=checked.subject,
            reason=checked.reason,
            author=actor,
            released=False,
            withdrawn=False,
            created_at=self._now(),
        )
        db.add(row)
        db.flush()
        return _dismissal(row)

    @transaction(write=True)
    def withdraw_dismissal(self, db: Session, dismissal_id: int, *, actor: str) -> None:
        """Take a decision back: the finding counts again (the row stays, marked withdrawn)."""
        row = db.get(FindingDismissalRow, dismissal_id)
        if row is None:
            raise NotFound(f"no decision {dismissal_id}")
        feedback_draft(db, acting_person(db, actor), row.draft_id)
        row.withdrawn = True
        db.flush()

    @transaction(write=False)
    def list_dismissals(self, db: Session, draft_id: int, *, actor: str) -> list[Dismissal]:
        """The decisions in force on a draft, oldest first; the trainee who owns it sees released ones
        only."""
        me = acting_person(db, actor)
        draft = readable_draft(db, me, draft_id)
        query = (
            select(FindingDismissalRow)
            .where(FindingDismissalRow.draft_id == draft_id, ~FindingDismissalRow.withdrawn)
            .order_by(FindingDismissalRow.id)
        )
        if draft.owner == actor:
            query = query.where(FindingDismissalRow.released)
        elif me.role == "trainee":  # a workshop peer reads the plan, never the feedback on it
            return []
        return [_dismissal(r) for r in db.scalars(query)]


def _dismissal(row: FindingDismissalRow) -> Dismissal:
    return Dismissal(
        id=row.id,
        draft_id=row.draft_id,
        revision=row.revision,
        rule=row.rule,
        element_id=row.element_id,
        subject=row.subject,
        reason=row.reason,
        author=row.author,
        released=row.released,
        created_at=row.created_at,
    )
