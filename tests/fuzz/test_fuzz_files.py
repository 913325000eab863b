"""Hostile and broken case, plan and rubric files: the loader returns a valid model or a located InvalidInput.

Valid documents are generated, then mutated (wrong types, unknown and deleted fields, oversized and odd text,
deep nesting, alias bombs, duplicate keys, tabs, truncation). Nothing may escape as another exception, and
nothing may hang (pytest-timeout fails a hung test; no example is timed).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from itp_toolkit.errors import InvalidInput
from itp_toolkit.formats import files
from itp_toolkit.formats.files import load_model, parse_text, to_data, write_model
from itp_toolkit.model import CaseStudy, Rubric, TreatmentPlan
from tests.conftest import examples

from .strategies import ODD_CHARACTERS, treatment_plans

ROOT = Path(__file__).resolve().parents[2]
CASE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "case_studies").glob("*.yaml"))]
RUBRIC_TEXT = (ROOT / "itp_toolkit" / "library" / "data" / "default_rubric.yaml").read_text(encoding="utf-8")

EXAMPLES = int(os.environ["ITP_FUZZ_EXAMPLES"]) if "ITP_FUZZ_EXAMPLES" in os.environ else examples(60)
"""Modest by default (60; the quick loop's profile fewer); raise it to hunt (ITP_FUZZ_EXAMPLES=2000)."""

PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + (
    [] if "ITP_FUZZ_EXAMPLES" in os.environ else [Phase.shrink]
)
"""When hunting, report the first failure as found: shrinking a big plan can take minutes."""

FUZZ = settings(
    max_examples=EXAMPLES,
    phases=PHASES,
    deadline=None,  # no per-example timing (a loaded machine would flake it); pytest-timeout catches hangs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_loads_or_is_located(text: str, model: type) -> None:
    try:
        result = parse_text(text, model, source="fuzz.yaml")
    except InvalidInput as exc:
        assert exc.problems, "InvalidInput without a problem"
        for problem in exc.problems:
            assert problem.file == "fuzz.yaml"
            assert problem.field or problem.line is not None, problem
    else:
        assert isinstance(result, model)


# ------------------------------------------------------------------------------------------ mutations


nasty_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.just([]),
    st.just({}),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.text(max_size=30),
    st.sampled_from(ODD_CHARACTERS),
    st.just("x" * 25_000),
    st.just("\x00"),
    st.just("2024-02-30"),
    st.just("prb-OK"),
    st.just(float("nan")),
)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _get(data, path):
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated_data(draw, data):
    """Apply one to three structural mutations to plain data from a valid document."""
    data = json.loads(json.dumps(data))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths))
        parent = _get(data, path[:-1]) if path else None
        kind = draw(st.sampled_from(["replace", "delete", "unknown", "odd", "deep"]))
        if not path:
            if kind == "replace":
                data = draw(nasty_values)
            continue
        key = path[-1]
        if kind == "replace":
            parent[key] = draw(nasty_values)
        elif kind == "delete":
            del parent[key]
        elif kind == "unknown" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(nasty_values)
        elif kind == "odd" and isinstance(parent[key], str):
            at = draw(st.integers(0, len(parent[key])))
            parent[key] = parent[key][:at] + draw(st.sampled_from(ODD_CHARACTERS)) + parent[key][at:]
        elif kind == "deep":
            value = draw(nasty_values)
            for _ in range(draw(st.integers(1, 200))):
                value = [value] if draw(st.booleans()) else {"k": value}
            parent[key] = value
        if not isinstance(data, (dict, list)):
            break
    return data


def _dump(data, style: str) -> str:
    if style == "json":
        return json.dumps(data, ensure_ascii=True)  # lone surrogates arrive as \ud800 escapes
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return json.dumps(data)


@st.composite
def mutated_text(draw, text: str):
    """Text-level damage: insertions of odd characters or tabs, duplicated or deleted lines, truncation."""
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["insert", "tab", "duplicate", "delete", "truncate", "bom"]))
        if kind == "insert":
            at = draw(st.integers(0, len(lines[i])))
            extra = draw(
                st.sampled_from(
                    [*ODD_CHARACTERS, "\x00", "\ud800", "\\ud800", "&a", "*a", ": ", "- ", "{", "]"]
                )
            )
            lines[i] = lines[i][:at] + extra + lines[i][at:]
        elif kind == "tab":
            lines[i] = "\t" + lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
            del lines[i + 1 :]
        elif kind == "bom":
            lines[0] = "\ufeff" + lines[0]
    return "".join(lines)


# ------------------------------------------------------------------------------------------ properties


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_a_mutated_plan_file_loads_or_is_refused_with_located_problems(data):
    plan = data.draw(treatment_plans(max_problems=2))
    mutated = data.draw(mutated_data(to_data(plan)))
    assert_loads_or_is_located(_dump(mutated, data.draw(st.sampled_from(["yaml", "json"]))), TreatmentPlan)


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_a_mutated_case_file_loads_or_is_refused_with_located_problems(data):
    base = yaml.safe_load(data.draw(st.sampled_from(CASE_TEXTS)))
    mutated = data.draw(mutated_data(base))
    assert_loads_or_is_located(_dump(mutated, data.draw(st.sampled_from(["yaml", "json"]))), CaseStudy)


@FUZZ
@given(data=st.data())
def test_a_mutated_rubric_file_loads_or_is_refused_with_located_problems(data):
    mutated = data.draw(mutated_data(yaml.safe_load(RUBRIC_TEXT)))
    assert_loads_or_is_located(_dump(mutated, data.draw(st.sampled_from(["yaml", "json"]))), Rubric)


@FUZZ
@given(data=st.data())
def test_damaged_file_text_loads_or_is_refused_with_located_problems(data):
    model, text = data.draw(
        st.sampled_from([(CaseStudy, t) for t in CASE_TEXTS[:2]] + [(Rubric, RUBRIC_TEXT)])
    )
    assert_loads_or_is_located(data.draw(mutated_text(text)), model)


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_loads_or_is_refused_with_located_problems(text):
    assert_loads_or_is_located(text, TreatmentPlan)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(treatment_plans(max_problems=2), st.sampled_from(["plan.yaml", "plan.json"]))
def test_odd_unicode_text_survives_a_write_and_read_intact(tmp_path_factory, plan, name):
    path = tmp_path_factory.mktemp("rt") / name
    write_model(plan, path)
    assert load_model(path, TreatmentPlan) == plan


# ------------------------------------------------------------------------------------------ named attacks


def billion_laughs(levels: int = 9, width: int = 9, where: str = "notes") -> str:
    lines = ['a0: &a0 ["lol"]']
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    body = "\n".join("  " + line for line in lines)
    return f"case_id: case-x\nanchors:\n{body}\n{where}: *a{levels}\n"


def nested_model_bomb(width: int = 400) -> str:
    """Aliases that stay valid-looking at every level: problems x goals x objectives x interventions."""
    refs = lambda name: "[" + ", ".join([f"*{name}"] * width) + "]"  # noqa: E731
    return (
        "case_id: case-x\n"
        "x:\n"
        "  - &iv {description: talk}\n"
        f"  - &ob {{description: walk, interventions: {refs('iv')}}}\n"
        f"  - &go {{statement: feel better, objectives: {refs('ob')}}}\n"
        f"  - &pr {{statement: low mood, goals: {refs('go')}}}\n"
        f"problems: {refs('pr')}\n"
    )


@pytest.mark.parametrize(
    "text",
    [billion_laughs(), billion_laughs(where="revised_for_events"), nested_model_bomb()],
    ids=["billion-laughs", "laughs-in-a-list-field", "nested-model-bomb"],
)
def test_an_alias_bomb_is_refused_before_anything_is_built_and_located(text, monkeypatch):
    """Refused from the composed graph (linear in the file): not one value of the expansion is constructed."""
    built = []
    construct = files._UniqueKeyLoader.construct_document

    def counting(loader, node):
        built.append(node)
        return construct(loader, node)

    monkeypatch.setattr(files._UniqueKeyLoader, "construct_document", counting)
    with pytest.raises(InvalidInput) as exc:
        parse_text(text, TreatmentPlan, source="bomb.yaml")
    assert built == []
    (problem,) = exc.value.problems
    assert "aliases are expanded" in problem.message and problem.line is not None


def test_ordinary_aliases_still_work():
    text = (
        "case_id: case-x\nrevised_for_events: &ev [ev-one, ev-two]\nproblems:\n  - statement: a\n    "
        "linked_facts: *ev\n"
    )
    plan = parse_text(text, TreatmentPlan)
    assert plan.problems[0].linked_facts == ["ev-one", "ev-two"]


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("case_id: case-x\nnotes: " + "[" * 5000 + "]" * 5000 + "\n", 2, "nested more than"),
        ("case_id: case-x\nnotes: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", 2, "nested more than"),
        ("case_id: case-x\nnotes: &n [*n]\n", 2, "refers to the node that contains it"),
        ("case_id: case-x\n? [a, b]\n: 1\n", 2, "a key must be a plain value"),
        ("case_id: case-x\nwritten_at_week: 1" + "0" * 5000 + "\n", 2, "more than 1000 digits"),
        ("case_id: case-x\nnotes: a\x00b\n", 2, "unacceptable character"),
        ("case_id: case-x\n\tnotes: x\n", 2, "'\\t'"),
        ("case_id: case-x\ncase_id: case-y\n", 2, "duplicate key"),
        ('{"case_id": "case-x", "notes": "a\\ud800b"}', 1, "unicode"),
    ],
    ids=[
        "deep-lists",
        "deep-mappings",
        "self-alias",
        "list-key",
        "huge-int",
        "raw-nul",
        "tab",
        "duplicate-key",
        "lone-surrogate",
    ],
)
@pytest.mark.timeout(120)  # a hang guard, not a speed test
def test_hostile_yaml_is_refused_with_a_line(text, line, words):
    with pytest.raises(InvalidInput) as exc:
        parse_text(text, TreatmentPlan, source="hostile.yaml")
    assert any(p.line == line and words in p.message for p in exc.value.problems), exc.value.problems


def test_every_library_case_stays_well_inside_the_limits():
    for text in CASE_TEXTS:
        parse_text(text, CaseStudy)
    parse_text(RUBRIC_TEXT, Rubric)


# ------------------------------------------------------------------------------------------ files on disk


def test_a_failed_load_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InvalidInput):
        load_model(path, TreatmentPlan)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]


def test_a_write_that_fails_while_encoding_keeps_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "plan.json"
    good = TreatmentPlan(case_id="case-x", notes="the old plan")
    write_model(good, path)
    before = path.read_bytes()
    # The model refuses lone surrogates, so build one past validation: it fails only when encoded as UTF-8.
    broken = TreatmentPlan.model_construct(case_id="case-x", notes="half \ud800 written")
    with pytest.raises(UnicodeEncodeError):
        write_model(broken, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]
    assert load_model(path, TreatmentPlan) == good


def test_a_crash_before_the_rename_keeps_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "plan.json"
    write_model(TreatmentPlan(case_id="case-x", notes="old"), path)
    before = path.read_bytes()

    def crash(self, target):
        raise OSError("disk went away")

    monkeypatch.setattr(Path, "replace", crash)
    with pytest.raises(OSError):
        write_model(TreatmentPlan(case_id="case-x", notes="new"), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_a_serialization_error_happens_before_anything_touches_the_disk(tmp_path, monkeypatch):
    path = tmp_path / "plan.yaml"
    write_model(TreatmentPlan(case_id="case-x", notes="old"), path)
    before = path.read_bytes()

    def explode(obj):
        raise yaml.representer.RepresenterError("cannot represent", obj)

    monkeypatch.setattr(files, "dump_yaml", explode)
    with pytest.raises(yaml.YAMLError):
        write_model(TreatmentPlan(case_id="case-x", notes="new"), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]


@pytest.mark.parametrize(
    "text",
    [
        "before\x85after",
        "line\u2028separator",
        "para\u2029graph",
        "\x8ec1 control",
        "\u202eevil\u202c \u200fmark",
        "e\u0301 \U0001f468\u200d\U0001f469\u200d\U0001f467",
    ],
)
@pytest.mark.parametrize("name", ["plan.yaml", "plan.json"])
def test_unicode_line_breaks_and_controls_survive_a_write_and_read(tmp_path, text, name):
    plan = TreatmentPlan(case_id="case-x", notes=text, title=text)
    path = write_model(plan, tmp_path / name)
    assert load_model(path, TreatmentPlan) == plan
