"""The toolkit's own errors.

Every front end (CLI, widgets, notebooks) catches these and shows their message; anything else is a bug.
Each error says *where* the problem is (file, line, field) so a clinician-educator can fix a case file or a
trainee can fix a plan without reading a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class ITPError(Exception):
    """Base of every error the toolkit raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One located problem in an input: which file, which line, which field, and what is wrong."""

    message: str
    field: str = ""
    file: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class InvalidInput(ITPError):
    """An input file or object does not fit the model. Carries every problem found, each located."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid input")


class NotFound(ITPError):
    """A case, person, draft or revision that was asked for does not exist (or is not visible to you)."""


class PermissionDenied(ITPError):
    """The acting person's role or ownership does not allow this action."""


class StaleRevision(ITPError):
    """A save started from a revision that is no longer the latest: someone (or another tab) saved since.

    Nothing is overwritten; the caller must merge or start again from ``latest_revision``.
    """

    def __init__(self, message: str, *, latest_revision: int):
        self.latest_revision = latest_revision
        super().__init__(message)


class StoreUnavailable(ITPError):
    """The database cannot be reached. Typed work must be kept by the caller and saved later."""
