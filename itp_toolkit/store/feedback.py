"""Supervisors' feedback: comments anchored to plan elements, rubric scores, and their release (a mixin of
PlanStore).

Every action a supervisor takes in one click is one method and one transaction, all or nothing: a comment
on every draft that made one choice (``annotate_drafts``), a whole rubric scoring (``score_draft``), the
release of everything written so far (``release_feedback``). The module functions ``write_comments`` and
``release`` are what those methods, and the decisions in ``submissions.py``, do inside their transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputProblem, InvalidInput, NotFound, PermissionDenied
from ..model import Annotation, RubricScore
from ..model.annotation import AnnotationTag
from . import mapping
from .core import StoreCore
from .database import transaction
from .guards import acting_person, feedback_draft, readable_draft
from .inputs import validated
from .reads import chosen_revision, latest_number, load_plan
from .records import Anchor
from .schema import AnnotationRow, FindingDismissalRow, PersonRow, RubricScoreRow

ScoreGiven = int | tuple[int, str]
"""A criterion's score, 1-4, alone or with a comment: ``3`` or ``(3, "Her goal, her words")``."""


class FeedbackMethods(StoreCore):
    @transaction(write=True)
    def add_annotation(
        self,
        db: Session,
        draft_id: int,
        body: str,
        *,
        element_id: str | None = None,
        revision: int | None = None,
        tags: Iterable[AnnotationTag] = (),
        actor: str,
    ) -> Annotation:
        """Comment on one plan element (or the whole draft) as it stood in ``revision`` (default: latest).

        The element must exist in that revision; because element ids are permanent, the comment stays on its
        element in later revisions.
        """
        anchor = validated(
            Anchor,
            {"draft_id": draft_id, "element_id": element_id, "revision": revision},
            f"annotation on draft {draft_id}",
        )
        me = acting_person(db, actor)
        return write_comments(db, me, [anchor], body, tags, now=self._now())[0]

    @transaction(write=True)
    def annotate_drafts(
        self,
        db: Session,
        anchors: Iterable[Anchor],
        body: str,
        *,
        tags: Iterable[AnnotationTag] = (),
        actor: str,
    ) -> list[Annotation]:
        """The same comment on several drafts, each at its own anchor (a group comment: every draft that
        made one choice, on the element that made it there). All or nothing: if the actor may not comment
        on one of them, or one revision lacks its element, no draft gets the comment."""
        me = acting_person(db, actor)
        return write_comments(db, me, list(anchors), body, tags, now=self._now())

    @transaction(write=True)
    def reply(self, db: Session, annotation_id: int, body: str, *, actor: str) -> Annotation:
        """Answer a comment in its thread (same draft and element), on the draft's latest revision.

        A supervisor who gives feedback on the draft may reply; so may the trainee who owns it, to a comment
        released to them. A trainee's reply is released at once (it is theirs; their supervisors read it)."""
        parent = _annotation_row(db, annotation_id)
        me = acting_person(db, actor)
        draft = readable_draft(db, me, parent.draft_id)
        by_owner = draft.owner == me.username and me.role == "trainee"
        if by_owner and not parent.released:
            raise NotFound(f"no annotation {annotation_id}")  # an unreleased comment does not exist for them
        if not by_owner:
            feedback_draft(db, me, parent.draft_id)
        checked = _checked_comment(
            me, parent.draft_id, latest_number(db, parent.draft_id), parent.element_id, body, [], parent.id
        )
        return _insert_comments(db, [checked], self._now(), released=by_owner)[0]

    @transaction(write=True)
    def resolve(self, db: Session, annotation_id: int, *, resolved: bool = True, actor: str) -> Annotation:
        """Mark a comment thread as dealt with (or reopen it)."""
        row = _annotation_row(db, annotation_id)
        feedback_draft(db, acting_person(db, actor), row.draft_id)
        row.resolved = resolved
        db.flush()
        return mapping.annotation(row)

    @transaction(write=False)
    def list_annotations(
        self, db: Session, draft_id: int, *, revision: int | None = None, actor: str
    ) -> list[Annotation]:
        """Comments written on ``revision`` or earlier (default: all), oldest first.

        The trainee who owns the draft sees released comments only.
        """
        me = acting_person(db, actor)
        draft = readable_draft(db, me, draft_id)
        query = select(AnnotationRow).where(AnnotationRow.draft_id == draft_id).order_by(AnnotationRow.id)
        if revision is not None:
            query = query.where(AnnotationRow.revision <= revision)
        if draft.owner == actor:
            query = query.where(AnnotationRow.released)
        elif me.role == "trainee":  # a workshop peer reads the plan, never the feedback on it
            return []
        return [mapping.annotation(r) for r in db.scalars(query)]

    @transaction(write=True)
    def add_score(
        self,
        db: Session,
        draft_id: int,
        rubric_id: str,
        criterion_id: str,
        score: int,
        *,
        comment: str = "",
        revision: int | None = None,
        actor: str,
    ) -> RubricScore:
        """Score a revision (default: latest) on one rubric criterion, 1-4 (``score_draft`` scores several).

        A rater may change their score until it is released; after that it is part of the record.
        """
        me = acting_person(db, actor)
        scores = {criterion_id: (score, comment)}
        return _write_scores(db, me, draft_id, rubric_id, scores, revision, self._now())[0]

    @transaction(write=True)
    def score_draft(
        self,
        db: Session,
        draft_id: int,
        rubric_id: str,
        scores: Mapping[str, ScoreGiven],
        *,
        revision: int | None = None,
        actor: str,
    ) -> list[RubricScore]:
        """Save the actor's scoring of a revision (default: latest) on a rubric, every criterion at once:
        ``{criterion_id: score}`` or ``{criterion_id: (score, comment)}``. All or nothing: one score out of
        1-4, or one already released, and none of them is saved. Nothing given, nothing written."""
        me = acting_person(db, actor)
        return _write_scores(db, me, draft_id, rubric_id, scores, revision, self._now())

    @transaction(write=False)
    def list_scores(
        self, db: Session, draft_id: int, *, revision: int | None = None, actor: str
    ) -> list[RubricScore]:
        """Scores on the draft (or on one revision); the owning trainee sees released scores only."""
        me = acting_person(db, actor)
        draft = readable_draft(db, me, draft_id)
        query = select(RubricScoreRow).where(RubricScoreRow.draft_id == draft_id)
        if revision is not None:
            query = query.where(RubricScoreRow.revision == revision)
        if draft.owner == actor:
            query = query.where(RubricScoreRow.released)
        elif me.role == "trainee":  # a workshop peer reads the plan, never the feedback on it
            return []
        query = query.order_by(
            RubricScoreRow.revision,
            RubricScoreRow.rubric_id,
            RubricScoreRow.criterion_id,
            RubricScoreRow.rater,
        )
        return [mapping.score(r) for r in db.scalars(query)]

    @transaction(write=True)
    def release_feedback(self, db: Session, draft_id: int, *, actor: str) -> int:
        """Let the trainee see every comment, score and 'not applicable here' decision on the draft so far;
        returns how many were released."""
        feedback_draft(db, acting_person(db, actor), draft_id)
        return release(db, draft_id)


# ---------------------------------------------------------------------- inside a transaction


def write_comments(
    db: Session,
    me: PersonRow,
    anchors: Sequence[Anchor],
    body: str,
    tags: Iterable[AnnotationTag],
    *,
    now: dt.datetime,
) -> list[Annotation]:
    """One comment per anchor, by ``me``. Every anchor is checked before anything is written (``me`` gives
    feedback on that draft; the revision exists and holds the element), and the caller's transaction makes
    it all or nothing."""
    tag_list = list(tags)
    checked = []
    for anchor in anchors:
        feedback_draft(db, me, anchor.draft_id)
        number = chosen_revision(
            db, anchor.draft_id, anchor.revision, nothing_saved="there is no saved plan to comment on yet"
        )
        if anchor.element_id is not None:
            plan = load_plan(db, anchor.draft_id, number)
            if anchor.element_id not in {e.id for e in plan.elements()}:
                raise InvalidInput(
                    [
                        InputProblem(
                            f"revision {number} has no element {anchor.element_id!r}",
                            field="element_id",
                            file=f"draft {anchor.draft_id}",
                        )
                    ]
                )
        checked.append(_checked_comment(me, anchor.draft_id, number, anchor.element_id, body, tag_list, None))
    return _insert_comments(db, checked, now)


def release(db: Session, draft_id: int) -> int:
    """Release every comment, score and 'not applicable here' decision on the draft not yet released; returns
    how many."""
    notes = db.scalars(
        select(AnnotationRow).where(AnnotationRow.draft_id == draft_id, ~AnnotationRow.released)
    )
    scores = db.scalars(
        select(RubricScoreRow).where(RubricScoreRow.draft_id == draft_id, ~RubricScoreRow.released)
    )
    decisions = db.scalars(
        select(FindingDismissalRow).where(
            FindingDismissalRow.draft_id == draft_id, ~FindingDismissalRow.released
        )
    )
    rows: list[AnnotationRow | RubricScoreRow | FindingDismissalRow] = [*notes, *scores, *decisions]
    for row in rows:
        row.released = True
    db.flush()
    return len(rows)


def _checked_comment(
    me: PersonRow,
    draft_id: int,
    revision: int,
    element_id: str | None,
    body: str,
    tags: list[AnnotationTag],
    parent_id: int | None,
) -> Annotation:
    return validated(
        Annotation,
        {
            "draft_id": draft_id,
            "element_id": element_id,
            "revision": revision,
            "author": me.username,
            "body": body,
            "tags": tags,
            "parent_id": parent_id,
        },
        f"annotation on draft {draft_id}",
    )


def _insert_comments(
    db: Session, checked: list[Annotation], now: dt.datetime, *, released: bool = False
) -> list[Annotation]:
    rows = [
        AnnotationRow(
            draft_id=c.draft_id,
            revision=c.revision,
            element_id=c.element_id,
            author=c.author,
            body=c.body,
            tags=",".join(dict.fromkeys(c.tags)),
            parent_id=c.parent_id,
            resolved=False,
            released=released,
            created_at=now,
        )
        for c in checked
    ]
    db.add_all(rows)
    db.flush()
    return [mapping.annotation(r) for r in rows]


def _write_scores(
    db: Session,
    me: PersonRow,
    draft_id: int,
    rubric_id: str,
    scores: Mapping[str, ScoreGiven],
    revision: int | None,
    now: dt.datetime,
) -> list[RubricScore]:
    """``me``'s scores on one revision, checked together and then written (or changed while unreleased)."""
    feedback_draft(db, me, draft_id)
    number = chosen_revision(db, draft_id, revision, nothing_saved="there is no saved plan to score yet")
    checked = []
    for criterion_id, given in scores.items():
        value, comment = given if isinstance(given, tuple) else (given, "")
        checked.append(
            validated(
                RubricScore,
                {
                    "draft_id": draft_id,
                    "revision": number,
                    "rubric_id": rubric_id,
                    "criterion_id": criterion_id,
                    "rater": me.username,
                    "score": value,
                    "comment": comment,
                },
                f"score on draft {draft_id}",
            )
        )
    if not checked:
        return []
    existing = {
        row.criterion_id: row
        for row in db.scalars(
            select(RubricScoreRow).where(
                RubricScoreRow.draft_id == draft_id,
                RubricScoreRow.revision == number,
                RubricScoreRow.rubric_id == rubric_id,
                RubricScoreRow.rater == me.username,
                RubricScoreRow.criterion_id.in_([c.criterion_id for c in checked]),
            )
        )
    }
    if any(row.released for row in existing.values()):
        raise PermissionDenied(
            "a score on this revision is released and cannot change; score the next revision instead"
        )
    rows = []
    for c in checked:
        row = existing.get(c.criterion_id)
        if row is None:
            row = RubricScoreRow(
                draft_id=draft_id,
                revision=number,
                rubric_id=rubric_id,
                criterion_id=c.criterion_id,
                rater=me.username,
                released=False,
            )
            db.add(row)
            existing[c.criterion_id] = row
        row.score = c.score
        row.comment = c.comment
        row.created_at = now
        rows.append(row)
    db.flush()
    return [mapping.score(r) for r in rows]


def _annotation_row(db: Session, annotation_id: int) -> AnnotationRow:
    row = db.get(AnnotationRow, annotation_id)
    if row is None:
        raise NotFound(f"no annotation {annotation_id}")
    return row
