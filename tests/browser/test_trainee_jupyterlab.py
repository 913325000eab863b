"""The real trainee notebook in real JupyterLab: Run → Run All Cells; the page renders and opens a case.

JupyterLab drops what is sent before its kernel session is connected (pressing Shift+Enter too early left a
cell unrun), so the test first waits until the kernel is idle in both places that matter: the notebook's
own execution indicator, and the server's ``/api/kernels`` (state idle, a browser connected). Only then does
it run every cell from the Run menu, as a person would.

JupyterLab saves notebooks it has open (autosave, checkpoints), so it gets a byte-for-byte copy of
``notebooks/trainee_workspace.ipynb`` in a temporary folder, never the file in the repository.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.request

import pytest

from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.browser.servers import JupyterLabServer

pytestmark = pytest.mark.browser


def kernels(lab: JupyterLabServer) -> list[dict]:
    with urllib.request.urlopen(f"{lab.base_url}/api/kernels?token={lab.token}", timeout=10) as answer:
        return json.load(answer)


def wait_for_an_idle_connected_kernel(pg, lab: JupyterLabServer) -> None:
    """Until the notebook shows an idle kernel and the server has an idle kernel with a browser on it."""
    pg.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=TIMEOUT_MS)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        states = kernels(lab)
        if any(k.get("execution_state") == "idle" and k.get("connections", 0) >= 1 for k in states):
            return
        assert time.monotonic() < deadline, f"no idle connected kernel: {states}"
        accept = pg.locator(".jp-Dialog .jp-mod-accept")
        if accept.count():  # a kernel chooser: take the notebook's own kernel
            accept.first.click()
        pg.wait_for_timeout(250)


def run_all_cells(pg) -> None:
    pg.locator(".lm-MenuBar-item", has_text="Run").first.click()
    pg.locator(".lm-Menu-item:visible", has_text="Run All Cells").first.click()


def test_the_real_notebook_runs_in_jupyterlab_and_its_widgets_render(page, trainee_site, tmp_path):
    pg, watch = page
    root = tmp_path / "lab-root"
    root.mkdir()
    notebook = root / trainee_site.notebook.name
    shutil.copyfile(trainee_site.notebook, notebook)
    with JupyterLabServer(root, trainee_site.env, tmp_path) as lab:
        pg.goto(
            f"{lab.base_url}/lab/tree/{notebook.name}?token={lab.token}",
            wait_until="commit",
            timeout=TIMEOUT_MS,
        )
        pg.locator("#jupyterlab-splash").wait_for(state="detached", timeout=TIMEOUT_MS)
        pg.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=TIMEOUT_MS)
        wait_for_an_idle_connected_kernel(pg, lab)
        run_all_cells(pg)
        try:
            pg.locator(".jp-OutputArea .itp-trainee-workspace").wait_for(timeout=TIMEOUT_MS)
            picker = pg.locator(".itp-case-picker select")
            picker.locator("option", has_text="worry").first.wait_for(state="attached", timeout=TIMEOUT_MS)
        except Exception:
            screenshot(pg, "trainee-jupyterlab-failed")
            raise
        prompts = pg.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        assert all(re.fullmatch(r"\[\d+\]:?", p.strip()) for p in prompts), f"a cell did not run: {prompts}"
        label = next(o for o in picker.locator("option").all_inner_texts() if "worry" in o)
        picker.select_option(label=label)
        pg.locator("button.itp-open-case").click()
        pg.locator(".itp-plan-editor button.itp-add-problem").wait_for(timeout=TIMEOUT_MS)
        pg.locator(".itp-case-viewer").first.wait_for(timeout=TIMEOUT_MS)
        pg.locator(".itp-app-message", has_text="Editing your plan").wait_for(timeout=TIMEOUT_MS)
        screenshot(pg, "trainee-jupyterlab")
        assert (
            pg.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        )
        assert pg.locator(".jp-OutputArea .itp-app-error").count() == 0
        assert watch.dialogs == []
