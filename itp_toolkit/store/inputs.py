"""What people type, checked before it is stored: names, ids, free text and whole plans.

Trainee text is untrusted whatever the page checked, so every write validates here again. Every refusal is
an ``InvalidInput`` with located problems (the field path, and which draft), so a page can say where.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import InputProblem, InvalidInput, validation_problems
from ..formats.files import to_data
from ..model import TreatmentPlan
from ..model.base import NUL_MESSAGE, SHORT_TEXT_MAX
from ..model.ids import ID_PATTERN
from .records import USERNAME_PATTERN

MAX_PLAN_BYTES = 500_000
"""A full plan is tens of kilobytes; half a megabyte of JSON is a paste gone wrong or an attack."""

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: dict[str, Any], source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(validation_problems(exc, file=source)) from None


def check_username(username: str) -> None:
    if not re.fullmatch(USERNAME_PATTERN, username or ""):
        raise InvalidInput(
            [
                InputProblem(
                    "a username is 1-100 letters, digits or . _ @ + - (starting with a letter or digit)",
                    field="username",
                )
            ]
        )


def check_text(
    value: str,
    field: str,
    what: str,
    found: list[InputProblem],
    *,
    limit: int = SHORT_TEXT_MAX,
    required: bool = True,
) -> str:
    """A name, title or note a person typed, stripped; what is wrong with it goes to ``found``.
    The same rules as the model's text fields (length, no NUL: PostgreSQL text cannot hold one)."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if (required and not text) or len(text) > limit:
        found.append(InputProblem(f"give {what} of {1 if required else 0}-{limit} characters", field=field))
    elif "\x00" in text:
        found.append(InputProblem(NUL_MESSAGE, field=field))
    return text


def check_element_id(value: str, field: str) -> None:
    if not isinstance(value, str) or len(value) > 64 or not re.fullmatch(ID_PATTERN, value):
        raise InvalidInput([InputProblem(f"{value!r} is not an id like 'case-rural-perinatal'", field=field)])


def plan_json(plan: TreatmentPlan | dict[str, Any], *, draft_id: int, case_id: str) -> str:
    """The plan as the JSON a revision stores, after the size limit, the model and the draft's case."""
    source = f"draft {draft_id}"
    data = to_data(plan) if isinstance(plan, TreatmentPlan) else plan
    if not isinstance(data, dict):
        raise InvalidInput(
            [InputProblem("a plan must be a TreatmentPlan or a mapping of its fields", file=source)]
        )
    size = len(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))
    if size > MAX_PLAN_BYTES:
        # Say where the bulk is, so the writer knows what to cut.
        biggest = max(data, key=lambda k: len(json.dumps(data[k], ensure_ascii=False, default=str)))
        raise InvalidInput(
            [
                InputProblem(
                    f"the plan is {size:,} bytes, more than the {MAX_PLAN_BYTES:,} allowed; "
                    "most of it is here",
                    field=str(biggest),
                    file=source,
                )
            ]
        )
    checked = validated(TreatmentPlan, data, source)
    if checked.case_id != case_id:
        raise InvalidInput(
            [
                InputProblem(
                    f"this draft is for case {case_id!r}, not {checked.case_id!r}",
                    field="case_id",
                    file=source,
                )
            ]
        )
    return json.dumps(to_data(checked), ensure_ascii=False, separators=(",", ":"))


def parse_plan(stored_json: str, source: str) -> TreatmentPlan:
    """A stored plan validated on the way out (straight from the JSON: pydantic-core's fast path)."""
    try:
        return TreatmentPlan.model_validate_json(stored_json)
    except ValidationError as exc:
        raise InvalidInput(validation_problems(exc, file=source)) from None
