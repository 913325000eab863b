"""PlanStore: the one facade every front end (CLI, widgets, notebooks) saves and reads through.

Every method that acts for someone takes ``actor=`` (a username) and checks that person's role and ownership
*here*, below any UI: a hidden button is not access control. The rules:

- a trainee reads and writes only their own drafts, and sees feedback on them only once it is released;
- a supervisor reads the drafts of trainees in the cohorts they belong to, and writes annotations and scores
  on them (never on their own draft); an admin supervisor reads every draft;
- admins add people and cohorts; admins and a trainee's supervisors assign cases.

How the store is built: ``PlanStore`` is only this class, the sum of one mixin per concern, each in its own
module, each reading the shared state of ``core.StoreCore`` (the database, the clock, the id factory):

=================  ======================================================================================
``people.py``      people and cohorts
``assignments.py`` which cases are set for which cohort or trainee
``drafts.py``      drafts and their append-only revisions; the cohort view's batch read
``submissions.py`` submit, return for revision, sign off (each decision releases the feedback with it); the
                   supervisor's queue of handed-in drafts in one query
``feedback.py``    comments, rubric scores, release
``dismissals.py``  a supervisor's 'not applicable here' on a critique finding, released with the feedback
``workshops.py``   live workshops: blind drafting, review, debrief
=================  ======================================================================================

Below them, imported by the concerns and never importing them (or this facade): ``guards.py`` (who may do
what), ``reads.py`` (the shared queries: newest revision, newest submission, summaries), ``inputs.py`` (what
people type, checked), ``mapping.py`` (rows to records), ``database.py`` (engines and the one transaction
path, ``transaction``). Mixins, not delegation, because the public API is the methods themselves: one
object, one signature per action, and ``help(PlanStore)`` lists them all.

Every public method runs in exactly one transaction (``database.transaction``), so a multi-step action is
one method: all of it is written, or (on any refusal) none of it.
"""

from __future__ import annotations

from ..model import new_id as model_new_id
from ..model.base import utc_now
from .assignments import AssignmentMethods
from .core import Clock, IdFactory, StoreCore
from .database import Database
from .dismissals import DismissalMethods
from .drafts import DraftMethods
from .feedback import FeedbackMethods
from .inputs import MAX_PLAN_BYTES
from .people import PeopleMethods
from .submissions import SubmissionMethods
from .workshops import WorkshopMethods


class PlanStore(
    PeopleMethods,
    AssignmentMethods,
    DraftMethods,
    SubmissionMethods,
    FeedbackMethods,
    DismissalMethods,
    WorkshopMethods,
    StoreCore,
):
    """Treatment-plan drafts, their append-only revisions, and supervisors' feedback on them."""

    def __init__(self, database: Database, *, clock: Clock | None = None, new_id: IdFactory | None = None):
        self._db = database
        self._clock = clock or utc_now
        self._new_id = new_id or model_new_id

    @classmethod
    def open(
        cls, url: str, *, clock: Clock | None = None, new_id: IdFactory | None = None, upgrade: bool = True
    ) -> PlanStore:
        """Connect to ``url`` and create or upgrade the schema to the newest migration (keeping all rows)."""
        database = Database(url)
        if upgrade:
            database.upgrade_to_head()
        return cls(database, clock=clock, new_id=new_id)

    @property
    def url(self) -> str:
        return self._db.url

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._db.dialect

    def close(self) -> None:
        self._db.dispose()

    def __enter__(self) -> PlanStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["MAX_PLAN_BYTES", "Clock", "IdFactory", "PlanStore"]
