"""``itp publish`` of an educator's own notebook: the cases and files it names come along, the app reads
the cases it brought, and the security settings are those of every published page."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from itp_toolkit.cli import main
from itp_toolkit.cli.publish import BUNDLED_CASES, SETUP_TAG

EXAMPLES = Path(__file__).resolve().parents[2] / "notebooks" / "examples"


def test_publishing_an_example_brings_its_case_and_plan_file_along(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ITP_WORKSPACE", raising=False)
    monkeypatch.delenv("ITP_CASE_LIBRARY", raising=False)
    out = tmp_path / "app"
    assert main(["publish", str(EXAMPLES / "spot_the_cookie_cutter_plan.ipynb"), "--out", str(out)]) == 0
    assert sorted(p.name for p in (out / BUNDLED_CASES).iterdir()) == ["case-college-anxiety.yaml"]
    assert (out / "plans" / "college-anxiety-cookie-cutter.yaml").is_file()
    nb = nbformat.read(out / "spot_the_cookie_cutter_plan.ipynb", as_version=4)
    original = nbformat.read(EXAMPLES / "spot_the_cookie_cutter_plan.ipynb", as_version=4)
    assert nb.cells[0].metadata["tags"] == [SETUP_TAG] and "ITP_CASE_LIBRARY" in nb.cells[0].source
    assert [c.source for c in nb.cells[1:]] == [c.source for c in original.cells]
    config = json.loads((out / "voila.json").read_text())
    assert config["VoilaConfiguration"]["strip_sources"] is True
    assert config["VoilaConfiguration"]["show_tracebacks"] is False
    assert config["GuardedKernelManager"]["max_kernels"] == 40
    assert "case-college-anxiety" in (out / "README.md").read_text()
    assert "case_studies/ (1 case)" in capsys.readouterr().out


def test_the_bundled_cases_pass_validation(tmp_path):
    out = tmp_path / "app"
    assert main(["publish", str(EXAMPLES / "case_formulation.ipynb"), "--out", str(out)]) == 0
    assert main(["cases", "validate", str(out / BUNDLED_CASES)]) == 0


def test_cases_library_copies_no_case_and_leaves_the_notebook_as_written(tmp_path):
    out = tmp_path / "app"
    source = EXAMPLES / "measurement_based_care.ipynb"
    assert main(["publish", str(source), "--out", str(out), "--cases", "library"]) == 0
    assert not (out / BUNDLED_CASES).exists()
    assert (out / source.name).read_bytes() == source.read_bytes()


def test_cases_are_looked_up_in_the_workspaces_library(tmp_path, monkeypatch):
    monkeypatch.delenv("ITP_CASE_LIBRARY", raising=False)
    ws = tmp_path / "ws"
    assert main(["init", str(ws)]) == 0
    library = tmp_path / "own-cases"
    library.mkdir()
    src = Path(__file__).resolve().parents[2] / "case_studies" / "case-ocd-scrupulosity.yaml"
    (library / src.name).write_bytes(src.read_bytes())
    config = ws / "itp-workspace.yaml"
    config.write_text(config.read_text() + f"case_library: {library}\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            'a = get_case("case-ocd-scrupulosity")\nb = get_case("case-college-anxiety")'
        )
    ]
    path = tmp_path / "mine.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "app"
    assert main(["publish", str(path), "--out", str(out), "--workspace", str(ws)]) == 0
    assert [p.name for p in (out / BUNDLED_CASES).iterdir()] == ["case-ocd-scrupulosity.yaml"]


def test_a_path_outside_the_notebooks_folder_is_never_copied(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the app")
    folder = tmp_path / "nb"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('open("../secret.txt"); open("/etc/hostname")')]
    nbformat.write(nb, folder / "mine.ipynb")
    out = tmp_path / "app"
    assert main(["publish", str(folder / "mine.ipynb"), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.rglob("*")) == ["README.md", "mine.ipynb", "voila.json", "voila.py"]
