"""itp publish: a Voila app folder (notebook, voila.json, README with a hub snippet), and offline HTML for
debriefs and feedback (no scripts, no network, escaped text)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from itp_toolkit.cli import main
from itp_toolkit.cli.serve import REPO_NOTEBOOKS
from tests.conftest import demo_workspace, shipped_cases


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("ITP_DATABASE_URL", raising=False)
    ws = demo_workspace(tmp_path / "demo")
    yield ws
    ws.close()


def test_publish_writes_a_voila_app_folder_with_stripped_sources_and_culling(tmp_path, monkeypatch):
    out = tmp_path / "app"
    assert (
        main(
            ["publish", str(REPO_NOTEBOOKS / "case_library.ipynb"), "--out", str(out), "--name", "itp-cases"]
        )
        == 0
    )
    assert (out / "case_library.ipynb").read_bytes() == (REPO_NOTEBOOKS / "case_library.ipynb").read_bytes()
    config = json.loads((out / "voila.json").read_text())
    assert config["VoilaConfiguration"]["strip_sources"] is True
    assert config["VoilaConfiguration"]["show_tracebacks"] is False
    assert config["MappingKernelManager"]["cull_idle_timeout"] == 600
    # The server protections plain Voila takes from its configuration (tests/server/test_published_app.py).
    assert (
        config["VoilaConfiguration"]["multi_kernel_manager_class"]
        == "itp_toolkit.server.kernels.GuardedKernelManager"
    )
    assert (
        config["Voila"]["kernel_websocket_connection_class"]
        == "itp_toolkit.server.connection.GuardedKernelConnection"
    )
    assert config["GuardedKernelManager"]["max_kernels"] == 40
    # The page template `itp serve` uses (no CDN), found where voila.py says: the installed toolkit's data.
    assert config["VoilaConfiguration"]["template"] == "itp"
    setup: dict = {}
    with monkeypatch.context() as env:
        env.setenv("JUPYTER_PATH", "/elsewhere")
        exec(compile((out / "voila.py").read_text(), "voila.py", "exec"), setup)  # as Voila runs it
        found = os.environ["JUPYTER_PATH"].split(os.pathsep)
    assert found[1:] == ["/elsewhere"]
    assert (Path(found[0]) / "voila" / "templates" / "itp" / "index.html.j2").is_file()
    readme = (out / "README.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    compile(snippet, "jupyterhub_config.py", "exec")  # the snippet is valid Python
    assert '"name": "itp-cases"' in snippet and "/services/itp-cases/" in snippet


def test_publish_refuses_a_non_empty_folder_and_a_missing_notebook(tmp_path, capsys):
    out = tmp_path / "app"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["publish", str(REPO_NOTEBOOKS / "index.ipynb"), "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err and (out / "keep.txt").exists()
    assert main(["publish", str(tmp_path / "nope.ipynb"), "--out", str(tmp_path / "x")]) == 2


def _offline(html: str) -> None:
    assert "<script" not in html.lower()
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "default-src 'none'" in html


def test_publish_html_debrief_is_self_contained_and_escapes_trainee_text(demo, tmp_path, monkeypatch):
    store = demo.store()
    case = next(iter(shipped_cases().values()))
    ws = store.create_workshop(case.id, title="Tuesday <script>x</script>", actor="dr.okafor")
    for user, text in (("ana", "Low mood <img src=x onerror=alert(1)>"), ("ben", "Low mood")):
        draft = store.join_workshop(ws.join_code, actor=user)
        plan = store.blank_plan(draft.id, actor=user)
        plan = plan.model_copy(update={"problems": [_problem(text)]})
        store.save_revision(draft.id, plan, based_on=0, actor=user)
    store.open_review(ws.id, actor="dr.okafor")
    store.pick_exemplar(
        store.list_workshop_drafts(ws.id, actor="dr.okafor")[0].id, "See <b>this</b>", actor="dr.okafor"
    )
    store.open_debrief(ws.id, actor="dr.okafor")
    out = tmp_path / "debrief.html"
    monkeypatch.setenv("JUPYTERHUB_USER", "dr.okafor")  # the CLI acts for the hub's user: the facilitator
    assert (
        main(
            [
                "publish",
                "--html",
                "debrief",
                "--workshop",
                str(ws.id),
                "--out",
                str(out),
                "--workspace",
                str(demo.path),
            ]
        )
        == 0
    )
    html = out.read_text()
    _offline(html)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;b&gt;this&lt;/b&gt;" in html
    assert "Where the group agreed" in html and 'src="data:image/png;base64,' in html


def test_publish_html_feedback_writes_the_released_feedback_report(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "dee")  # dee's plan came back with released feedback
    store = demo.store()
    draft = next(d for d in store.list_drafts(actor="dee") if d.owner == "dee")
    out = tmp_path / "feedback.html"
    assert (
        main(
            [
                "publish",
                "--html",
                "feedback",
                "--draft",
                str(draft.id),
                "--out",
                str(out),
                "--workspace",
                str(demo.path),
            ]
        )
        == 0
    )
    html = out.read_text()
    _offline(html)
    assert "Feedback on dee" in html


def test_publish_html_needs_its_id(demo, tmp_path, capsys):
    assert (
        main(
            ["publish", "--html", "debrief", "--out", str(tmp_path / "d.html"), "--workspace", str(demo.path)]
        )
        == 2
    )
    assert "--workshop" in capsys.readouterr().err


def _problem(statement: str):
    from itp_toolkit.model import Problem

    return Problem(statement=statement)
