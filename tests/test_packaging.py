"""The two ways to install (pip with pyproject.toml, conda with environment.yml) ask for the same things."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name_and_spec(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(.*)$", requirement)
    assert match, requirement
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return name, match.group(3).replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    reqs = project["dependencies"] + extras["test"] + extras["hub"]
    return dict(_name_and_spec(r) for r in reqs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        entries = dep["pip"] if isinstance(dep, dict) else [dep]
        for entry in entries:
            name, spec = _name_and_spec(entry)
            if name in ("python", "pip"):
                continue
            out[name] = spec  # a pip entry (with extras) refines the conda one of the same name
    return out


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert _environment() == _pyproject()


def test_the_spacy_model_is_pinned_by_hash():
    text = (ROOT / "requirements" / "spacy-model.txt").read_text()
    assert re.search(r"==[0-9.]+\s+--hash=sha256:[0-9a-f]{64}", text)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./dev.sh test" in readme and "./dev.sh test" in ci
    assert "./dev.sh app" in readme
    assert "./dev.sh hub" in readme
