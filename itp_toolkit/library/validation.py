"""Validating a case file before it joins the case library: schema, file name, and privacy.

A case that fits the schema can still carry a real person's name, town or birth date in a quote or a
teaching note. Every text field is scanned, supervisor-only ones included (teaching notes, the reference
plan), because supervisor material is shared and exported too. Each problem names the file, the line and
the field, so the author can fix it without hunting.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from ..errors import InputProblem, InvalidInput, field_path
from ..formats import files
from ..model import CaseStudy
from ..model.ids import ID_PATTERN
from .privacy import scan_text

CASE_SUFFIXES = (".yaml", ".yml", ".json")


def _is_code_annotation(annotation: Any) -> bool:
    """True for ids and fixed choices (ElementId, Literal, lists of them): codes, not prose to scan."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return True
    if origin is typing.Annotated:
        args = typing.get_args(annotation)
        for meta in args[1:]:
            if getattr(meta, "pattern", None) == ID_PATTERN:
                return True
        return _is_code_annotation(args[0])
    if origin in (list, tuple, set, typing.Union) or str(origin) == "<class 'types.UnionType'>":
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(members) and all(_is_code_annotation(a) for a in members)
    return False


def _code_field_names(model: type[BaseModel]) -> frozenset[str]:
    """Field names that hold ids or fixed choices in every model of the case where they appear."""
    code: set[str] = set()
    prose: set[str] = set()
    seen: set[type] = set()

    def visit(m: type[BaseModel]) -> None:
        if m in seen:
            return
        seen.add(m)
        for name, info in m.model_fields.items():
            (code if _is_code_annotation(info.annotation) else prose).add(name)
            for sub in _models_in(info.annotation):
                visit(sub)

    visit(model)
    return frozenset(code - prose)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


CODE_FIELDS = _code_field_names(CaseStudy)
"""Keys whose values are ids or enum choices: never scanned ('case-college-anxiety' is not a name)."""


def _text_nodes(
    node: yaml.Node, loc: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], yaml.ScalarNode]]:
    """Every string scalar under ``node`` with its location, skipping id and choice fields."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = getattr(key, "value", None)
            if name in CODE_FIELDS:
                continue
            yield from _text_nodes(value, (*loc, name))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _text_nodes(item, (*loc, i))
    elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        yield loc, node


def privacy_problems(text: str, *, source: str = "<input>") -> list[InputProblem]:
    """A InputProblem per probable Safe Harbor identifier in any text field of a YAML/JSON document."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None:
        return []
    problems = []
    for loc, node in _text_nodes(root):
        findings = scan_text(node.value)
        if not findings:
            continue
        field_line = files.node_line(root, loc)
        raw = text[node.start_mark.index : node.end_mark.index]
        search_from = 0
        for finding in findings:
            # Point at the line the identifier is on, not just where a long block field starts.
            line = field_line
            at = raw.find(finding.text, search_from)
            if at >= 0:
                line = node.start_mark.line + 1 + raw.count("\n", 0, at)
                search_from = at + len(finding.text)
            problems.append(
                InputProblem(
                    f"{finding} looks like a Safe Harbor identifier ({finding.category}); "
                    "replace it with an invented or generalised detail",
                    field=field_path(loc),
                    file=source,
                    line=line,
                )
            )
    return problems


def validate_case_file(path: str | Path) -> list[InputProblem]:
    """Every problem with one case file: schema, file name vs case id, and identifiers in its text.

    The privacy scan runs even when the schema fails, so one pass shows the author everything to fix.
    """
    path = Path(path)
    source = str(path)
    problems: list[InputProblem] = []
    case: CaseStudy | None = None
    try:
        case = files.load_case(path)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return problems  # already reported by load_case: unreadable or not YAML
    case_id = case.id if case is not None else _top_level_id(root)
    if case_id is not None and path.stem != case_id:
        problems.append(
            InputProblem(
                f"file name {path.name!r} does not match the case id {case_id!r} (rename it "
                f"{case_id}{path.suffix})",
                field="id",
                file=source,
                line=files.node_line(root, ("id",)),
            )
        )
    problems.extend(privacy_problems(text, source=source))
    return sorted(problems, key=lambda p: (p.line or 0, p.field))


def _top_level_id(root: yaml.Node | None) -> str | None:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if getattr(key, "value", None) == "id" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return None


def case_files(paths: list[str | Path]) -> list[Path]:
    """The case files named by ``paths``: files as given, directories expanded to their case files."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(
                    f for f in p.iterdir() if f.suffix.lower() in CASE_SUFFIXES and not f.name.startswith(".")
                )
            )
        else:
            out.append(p)
    return out
