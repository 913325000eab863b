"""The toolkit's Voila template and the server's root address, without starting a server."""

from __future__ import annotations

import os

from voila.paths import collect_template_paths  # type: ignore[import-untyped]

from itp_toolkit.cli.serve import TEMPLATE, voila_command
from itp_toolkit.server.app import JUPYTER_DATA, with_template_path


def test_the_itp_template_extends_voilas_lab_template_without_a_cdn(monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", with_template_path(os.environ.get("JUPYTER_PATH")))
    paths = collect_template_paths(["voila", "nbconvert"], TEMPLATE, prune=True)
    assert paths[0] == str(JUPYTER_DATA / "voila" / "templates" / "itp")
    assert any(p.endswith(os.path.join("voila", "templates", "lab")) for p in paths)
    index = (JUPYTER_DATA / "voila" / "templates" / "itp" / "index.html.j2").read_text()
    assert "extends 'lab/index.html.j2'" in index
    assert "cdn" not in index.lower().replace("cdn links", "").replace("a cdn", "")


def test_the_template_path_is_added_once_and_first():
    once = with_template_path(f"/a{os.pathsep}{JUPYTER_DATA}")
    assert once.split(os.pathsep) == [str(JUPYTER_DATA), "/a"]
    assert with_template_path(None) == str(JUPYTER_DATA)


def test_itp_serve_runs_voila_with_the_itp_template(tmp_path):
    assert f"--VoilaConfiguration.template={TEMPLATE}" in voila_command(tmp_path, 8866, 600)
