"""A draft's revisions as sittings: the saves made in one go at the desk read as one entry.

Autosave keeps every pause in typing as a revision (the store keeps them all, and the supervisor and the
diff can use any of them); a trainee looking back wants "Monday 10:02–10:41, 19 saves", not 19 lines.
A new sitting starts after ``SITTING_GAP`` without a save, or at a revision saved by someone else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..store.records import RevisionInfo

SITTING_GAP = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Sitting:
    """Consecutive revisions saved in one go."""

    first: RevisionInfo
    last: RevisionInfo
    count: int

    @property
    def label(self) -> str:
        """'3 Mar 09:00–09:41 · revisions 1–19' (one revision: '3 Mar 09:00 · revision 4')."""
        start, end = self.first.created_at, self.last.created_at
        when = f"{start:%d %b %H:%M}"
        if end.date() != start.date():
            when += f" – {end:%d %b %H:%M}"
        elif f"{end:%H:%M}" != f"{start:%H:%M}":
            when += f"–{end:%H:%M}"
        if self.count == 1:
            return f"{when} · revision {self.last.number}"
        return f"{when} · revisions {self.first.number}–{self.last.number} ({self.count} saves)"


def sittings(revisions: Sequence[RevisionInfo], gap: dt.timedelta = SITTING_GAP) -> list[Sitting]:
    """Revisions (in number order) grouped into sittings, oldest first."""
    out: list[Sitting] = []
    group: list[RevisionInfo] = []
    for r in sorted(revisions, key=lambda r: r.number):
        if group and (r.created_at - group[-1].created_at > gap or r.author != group[-1].author):
            out.append(Sitting(group[0], group[-1], len(group)))
            group = []
        group.append(r)
    if group:
        out.append(Sitting(group[0], group[-1], len(group)))
    return out
