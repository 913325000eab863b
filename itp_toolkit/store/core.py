"""What every part of :class:`~itp_toolkit.store.PlanStore` shares: the database, the clock, the id factory.

The store's concerns (people, assignments, drafts, submissions, feedback, workshops) are mixins of this
class; ``PlanStore.__init__`` sets the state, and each mixin only reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..model.base import Clock
from .database import Database

IdFactory = Callable[[str], str]
"""``kind -> new id`` (``"plan" -> "plan-…"``), used for blank plans."""


class StoreCore:
    """The state the store's mixins share (set by ``PlanStore.__init__``)."""

    _db: Database
    _clock: Clock
    _new_id: IdFactory

    def _now(self) -> dt.datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the store's clock must return timezone-aware datetimes")
        return now
