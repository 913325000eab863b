"""The toolkit's own errors.

Every front end (CLI, widgets, notebooks) catches these and shows their message; anything else is a bug.
Each error says *where* the problem is (file, line, field) so a clinician-educator can fix a case file or a
trainee can fix a plan without reading a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError


class ITPError(Exception):
    """Base of every error the toolkit raises on purpose."""


@dataclass(frozen=True)
class InputProblem:
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


def field_path(loc: Sequence[str | int]) -> str:
    """A location as a readable field path: ``problems[0].goals[1].statement``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_errors(exc: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    """pydantic's errors as (location, message) in the toolkit's one wording.

    The location drops pydantic's ``function-after[...]`` steps (they name a validator, not a field); an
    unknown key says to check the spelling; a model validator's ``ValueError`` keeps only its own message.
    """
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if err["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        else:
            message = err["msg"].removeprefix("Value error, ")
        out.append((loc, message))
    return out


def validation_problems(
    exc: ValidationError,
    *,
    file: str = "",
    prefix: Sequence[str | int] = (),
    line: Callable[[tuple[str | int, ...]], int | None] | None = None,
) -> list[InputProblem]:
    """Every error of a pydantic validation as a located problem (the one place that knows how).

    ``prefix`` is where the validated object sits in a larger one (``review`` for the review section);
    ``line`` maps a location to its line in the source text, when there is one.
    """
    return [
        InputProblem(
            message,
            field=field_path((*prefix, *loc)),
            file=file,
            line=line(loc) if line is not None else None,
        )
        for loc, message in validation_errors(exc)
    ]


class InvalidInput(ITPError):
    """An input file or object does not fit the model. Carries every problem found, each located."""

    def __init__(self, problems: list[InputProblem]):
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
