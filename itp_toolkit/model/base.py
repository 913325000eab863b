"""Shared pydantic configuration and text types for the model.

Limits on text length exist so that a pasted novel or a hostile multi-megabyte field is refused with a
clear message naming the field, instead of bloating the store or freezing a browser.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from .ids import ID_PATTERN

Clock = Callable[[], dt.datetime]
"""Returns the current moment, timezone-aware. Injected (store, drafting, workshop pages) so tests are
deterministic."""


def utc_now() -> dt.datetime:
    """The current moment in UTC: the one default clock."""
    return dt.datetime.now(dt.UTC)


SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 20_000

NUL_MESSAGE = "text must not contain the NUL character (U+0000)"


def refuse_nul(text: str) -> str:
    """NUL is never meaningful in clinical text, YAML cannot carry it and PostgreSQL text cannot store it:
    refuse it where it is typed, with the field named, rather than fail later in one database only."""
    if "\x00" in text:
        raise ValueError(NUL_MESSAGE)
    return text


ShortText = Annotated[str, StringConstraints(max_length=SHORT_TEXT_MAX), AfterValidator(refuse_nul)]
"""A label, a statement, a quote: one or two sentences."""

LongText = Annotated[str, StringConstraints(max_length=LONG_TEXT_MAX), AfterValidator(refuse_nul)]
"""A narrative section: history, formulation, teaching notes."""

ElementId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=64)]
"""A permanent id such as ``prb-3f9a2c1d`` or ``s-family``: lower case, at least one hyphen."""

Week = Annotated[int, Field(ge=0, le=520)]
"""Weeks since intake (week 0); ten years is the longest a teaching case runs."""


class ModelBase(BaseModel):
    """Strict base: unknown fields are errors (a typo in a case file must not vanish silently)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)


FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
_NEEDS_ISOLATION = re.compile(
    # right-to-left scripts
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
    "\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"  # direction marks, embeddings, overrides, isolates
)


def isolate(text: str) -> str:
    """``text`` as an island where it is put into a sentence or label: its right-to-left letters, or an
    override it never closes, cannot reorder the words around it (Unicode bidi isolates U+2068...U+2069; the
    closing one also ends any embedding or override left open inside). Other text is returned unchanged."""
    if _NEEDS_ISOLATION.search(text):
        return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
    return text
