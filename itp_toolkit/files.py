"""Reading and writing case studies, plans and rubrics as YAML or JSON, with located errors.

A pydantic error says *which field* is wrong; a clinician editing a case file also needs *which line*.
We compose the YAML node tree (which keeps line numbers), validate the plain data, then map each error's
location back to the node it came from. Nothing is written unless the whole input is valid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import InvalidInput, Problem
from .model import CaseStudy, Rubric, TreatmentPlan

MAX_FILE_BYTES = 2_000_000
"""A case or plan file is a few kilobytes; anything this large is a mistake or an attack."""

M = TypeVar("M", bound=BaseModel)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (YAML silently keeps the last one otherwise)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def node_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the node at ``loc`` (or of its deepest existing ancestor)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def field_path(loc: tuple[Any, ...]) -> str:
    """A location as a readable field path: ``timeline[2].description``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def parse_text(text: str, model: type[M], *, source: str = "<input>") -> M:
    """Validate YAML or JSON ``text`` as ``model``; InvalidInput lists every problem with line and field."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise InvalidInput([Problem(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB", file=source)])
    try:
        root = yaml.compose(text, Loader=_UniqueKeyLoader)
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput([Problem(f"not valid YAML/JSON: {reason}", file=source, line=line)]) from None
    if not isinstance(data, dict):
        raise InvalidInput([Problem("expected a mapping of fields at the top level", file=source, line=1)])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            message = err["msg"]
            if err["type"] == "extra_forbidden":
                message = "unknown field (check the spelling)"
            problems.append(
                Problem(message, field=field_path(loc), file=source, line=node_line(root, loc))
            )
        raise InvalidInput(problems) from None


def load_model(path: str | Path, model: type[M]) -> M:
    """Read and validate a YAML or JSON file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput([Problem(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB", file=str(path))])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput([Problem("no such file", file=str(path))]) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput([Problem(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(path))]) from None
    return parse_text(text, model, source=str(path))


def load_case(path: str | Path) -> CaseStudy:
    return load_model(path, CaseStudy)


def load_plan(path: str | Path) -> TreatmentPlan:
    return load_model(path, TreatmentPlan)


def load_rubric(path: str | Path) -> Rubric:
    return load_model(path, Rubric)


def to_data(obj: BaseModel) -> dict[str, Any]:
    """Plain, JSON-safe data for a model, without fields left at their empty defaults' noise."""
    return obj.model_dump(mode="json", exclude_none=True)


def dump_yaml(obj: BaseModel) -> str:
    return yaml.safe_dump(to_data(obj), sort_keys=False, allow_unicode=True, width=100)


def dump_json(obj: BaseModel) -> str:
    return json.dumps(to_data(obj), indent=2, ensure_ascii=False)


def write_model(obj: BaseModel, path: str | Path) -> Path:
    """Write as YAML or JSON by the file's suffix, atomically (a crash never leaves half a file)."""
    path = Path(path)
    text = dump_json(obj) if path.suffix.lower() == ".json" else dump_yaml(obj)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
