"""The store: drafts, append-only revisions and feedback, in SQLite (default) or PostgreSQL (shared).

Everything goes through one facade, :class:`PlanStore`; see ``docs/store.md`` for the schema and the rules.
"""

from .plan_store import MAX_PLAN_BYTES, PlanStore
from .records import CaseAssignment, Cohort, DraftSummary, Person, RevisionInfo, Submission, draft_status

__all__ = [
    "MAX_PLAN_BYTES",
    "CaseAssignment",
    "Cohort",
    "DraftSummary",
    "Person",
    "PlanStore",
    "RevisionInfo",
    "Submission",
    "draft_status",
]
