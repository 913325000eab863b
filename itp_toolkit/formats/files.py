"""Reading and writing case studies, plans and rubrics as YAML or JSON, with located errors.

A pydantic error says *which field* is wrong; a clinician editing a case file also needs *which line*.
We compose the YAML node tree (which keeps line numbers), validate the plain data, then map each error's
location back to the node it came from. Nothing is written unless the whole input is valid.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import InputProblem, InvalidInput, validation_problems
from ..model import CaseStudy, Rubric, TreatmentPlan

MAX_FILE_BYTES = 2_000_000
"""A case or plan file is a few kilobytes; anything this large is a mistake or an attack."""

MAX_DEPTH = 64
"""Nesting deeper than any case, plan or rubric needs (they use about 12 levels); deeper is refused before the
recursive YAML composer can run out of stack."""

MAX_NODES = 200_000
"""Values in a document once aliases are expanded (a case file with its reference plan has about 2,000). A
few lines of nested aliases ("billion laughs") can stand for billions of values; such a file is refused before
anything walks the expanded structure."""

MAX_INT_DIGITS = 1_000
"""Python refuses to parse decimal integers of more than 4,300 digits with a ValueError; no field needs
1,000."""

M = TypeVar("M", bound=BaseModel)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (YAML silently keeps the last one otherwise) and deep
    nesting."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value, not a list or mapping", key_node.start_mark
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    if sum(c.isdigit() for c in str(node.value)) > MAX_INT_DIGITS:
        raise yaml.constructor.ConstructorError(
            None, None, f"a number with more than {MAX_INT_DIGITS} digits", node.start_mark
        )
    return loader.construct_yaml_int(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _expanded_size_problem(root: yaml.Node) -> tuple[str, int] | None:
    """Why the document is too big once aliases are expanded (message, line), or None.

    Aliased nodes are shared in the composed graph, so sizes are memoized: the check is linear in the file.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_NODES:
                return f"more than {MAX_NODES:,} values once aliases are expanded", node.start_mark.line + 1
            continue
        if key in sizes:
            continue
        if key in on_path:
            return "an alias refers to the node that contains it", node.start_mark.line + 1
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


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


def parse_text(text: str, model: type[M], *, source: str = "<input>") -> M:
    """Validate YAML or JSON ``text`` as ``model``; InvalidInput lists every problem with line and field."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise InvalidInput(
            [InputProblem(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB", file=source)]
        )
    loader = None
    try:
        loader = _UniqueKeyLoader(text)  # its reader refuses control characters such as a raw NUL
        root = loader.get_single_node()
        too_big = _expanded_size_problem(root) if root is not None else None
        if too_big is not None:
            raise InvalidInput([InputProblem(f"refused: {too_big[0]}", file=source, line=too_big[1])])
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        if isinstance(exc, yaml.reader.ReaderError):
            line = text.count("\n", 0, max(exc.position, 0)) + 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InvalidInput([InputProblem(f"not valid YAML/JSON: {reason}", file=source, line=line)]) from None
    except RecursionError:  # belt and braces: MAX_DEPTH should stop this first
        raise InvalidInput(
            [InputProblem(f"nested too deeply (limit {MAX_DEPTH} levels)", file=source, line=1)]
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        raise InvalidInput(
            [InputProblem("expected a mapping of fields at the top level", file=source, line=1)]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            validation_problems(exc, file=source, line=lambda loc: node_line(root, loc))
        ) from None


def load_model(path: str | Path, model: type[M]) -> M:
    """Read and validate a YAML or JSON file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput(
                [InputProblem(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB", file=str(path))]
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput([InputProblem("no such file", file=str(path))]) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            [InputProblem(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(path))]
        ) from None
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


class _Dumper(yaml.SafeDumper):
    """SafeDumper that double-quotes text holding Unicode line breaks (NEL, U+2028, U+2029).

    PyYAML may otherwise write them raw inside a single-quoted scalar, where reading folds them into spaces.
    """


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if any(c in data for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(obj: BaseModel) -> str:
    return yaml.dump(to_data(obj), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


_YAML_UNREADABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")
"""Characters JSON leaves raw but our (YAML) reader refuses or reads as a line break; they occur only inside
JSON strings, where a \\u escape keeps them exact."""


def dump_json(obj: BaseModel) -> str:
    text = json.dumps(to_data(obj), indent=2, ensure_ascii=False)
    return _YAML_UNREADABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_model(obj: BaseModel, path: str | Path) -> Path:
    """Write as YAML or JSON by the file's suffix, atomically (a crash never leaves half a file)."""
    path = Path(path)
    text = dump_json(obj) if path.suffix.lower() == ".json" else dump_yaml(obj)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # the old file is untouched; leave no half-written sibling behind
        raise
    return path
