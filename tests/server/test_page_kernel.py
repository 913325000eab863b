"""The kernel pages run in (``server.page_kernel``) and how ``itp serve`` and ``itp publish`` name it.

The high-water mark itself is proven end to end by ``test_large_page_messages.py``; here, the wiring."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from jupyter_client.kernelspec import NATIVE_KERNEL_NAME

from itp_toolkit.cli.publish import voila_config
from itp_toolkit.cli.serve import KERNEL_SPECS, PREHEATED, PRELOADING_KERNEL_SPECS, voila_command
from itp_toolkit.server.page_kernel import (
    MODULE,
    PRELOAD_FLAG,
    PageKernelSpecManager,
    PreloadingKernelSpecManager,
)


def test_the_python_kernel_of_a_page_is_the_page_kernel():
    spec = PageKernelSpecManager().get_kernel_spec(NATIVE_KERNEL_NAME)
    assert spec.argv == [sys.executable, "-m", MODULE, "-f", "{connection_file}"]


def test_preheated_kernels_preload_the_pages_modules():
    spec = PreloadingKernelSpecManager().get_kernel_spec(NATIVE_KERNEL_NAME)
    assert spec.argv[3] == PRELOAD_FLAG


def test_itp_serve_runs_page_kernels_and_preheats_only_the_trainee_page(tmp_path):
    plain = voila_command(tmp_path, 8866, 600)
    assert f"--VoilaConfiguration.kernel_spec_manager_class={KERNEL_SPECS}" in plain
    assert not [flag for flag in plain if "preheat" in flag]
    heated = voila_command(tmp_path, 8866, 600, preheat=12)
    assert f"--VoilaConfiguration.kernel_spec_manager_class={PRELOADING_KERNEL_SPECS}" in heated
    assert "--VoilaConfiguration.preheat_kernel=True" in heated
    pools = next(f for f in heated if f.startswith("--VoilaKernelManager.kernel_pools_config="))
    config = json.loads(pools.split("=", 1)[1])
    assert config == {"default": {"pool_size": 0}, PREHEATED: {"pool_size": 12}}


def test_a_pool_that_leaves_no_room_under_the_kernel_cap_is_refused(tmp_path, capsys):
    from itp_toolkit.cli import main as itp
    from tests.conftest import demo_workspace

    ws = demo_workspace(tmp_path / "demo")
    ws.close()
    assert (
        itp(["serve", "--workspace", str(ws.path), "--preheat", "40", "--max-kernels", "40", "--dry-run"])
        == 2
    )
    assert "leaves no room" in capsys.readouterr().err


def test_a_published_app_runs_page_kernels():
    config = voila_config(600)
    assert config["VoilaConfiguration"]["kernel_spec_manager_class"] == KERNEL_SPECS
    assert config["VoilaExecutor"]["iopub_timeout"] >= 60
    assert "preheat_kernel" not in config["VoilaConfiguration"]


def test_the_notebooks_preheated_exist():
    from itp_toolkit.cli.serve import REPO_NOTEBOOKS

    assert (Path(REPO_NOTEBOOKS) / PREHEATED).is_file()


REOPEN_AFTER_PRELOAD = """
import sys, tempfile, warnings
from pathlib import Path
warnings.simplefilter("ignore")
from itp_toolkit.server.page_kernel import preload
preload()
from itp_toolkit.services.workspace import build_demo_workspace
from itp_toolkit.apps.trainee import trainee_workspace
ws = build_demo_workspace(Path(tempfile.mkdtemp()) / "demo")
before = set(sys.modules)
page = trainee_workspace(ws, user="dee")  # dee's returned plan is reopened on load
assert page.outline is not None, "the demo's dee should have a plan reopened"
print(sorted(m for m in set(sys.modules) - before if m.startswith(("itp_toolkit", "matplotlib"))))
"""


@pytest.mark.slow  # a new Python process imports and preloads the page stack: 4.3-4.6 s alone
def test_a_preheated_kernel_has_imported_everything_a_reopened_trainee_page_needs():
    """The page defers the imports of an open case (a kernel started on request shows the case picker
    sooner); a preheated kernel has done them before anyone asks, so the page reopened on load imports
    nothing of the toolkit's or matplotlib's while the trainee waits."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", REOPEN_AFTER_PRELOAD], capture_output=True, text=True, timeout=300, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


CRITIQUE_AFTER_PRELOAD = """
import warnings
warnings.simplefilter("ignore")
from itp_toolkit.server.page_kernel import preload
preload()
from itp_toolkit.checks import critique, individualization_score
from itp_toolkit.checks.rubrics import default_rubric
from itp_toolkit.library.cases import load_case_library
from itp_toolkit.library.vocabulary import load_vocabulary
from itp_toolkit.library.interventions import load_intervention_library
from itp_toolkit.checks.generic import generic_library
filled = [f.cache_info().currsize for f in (load_vocabulary, load_intervention_library, generic_library,
                                            default_rubric)]
cases = load_case_library()  # (YAML too: read before the guard below)
case = max((c for c in cases.values() if c.reference_plan),
           key=lambda c: len(list(c.reference_plan.elements())))
import yaml.composer
def guard(*a, **k):
    raise AssertionError("the critique read a YAML file while the trainee waited")
yaml.composer.Composer.get_single_node = guard
findings = critique(case.reference_plan, case)
individualization_score(case.reference_plan, case)
print(filled, len(findings) >= 0)
"""


@pytest.mark.slow  # a new Python process imports and preloads the page stack: 4.3-4.6 s alone
def test_a_preheated_kernel_has_run_the_critique_once_so_a_page_s_first_critique_loads_nothing():
    """The first critique of a process reads the vocabulary, the intervention and generic-text libraries
    (YAML) and compiles its patterns; preload does that on a small case, so the largest library plan's first
    critique after it parses no YAML at all (a guard makes any YAML read fail), and the feedback view's
    rubric is read too."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", CRITIQUE_AFTER_PRELOAD], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[1, 1, 1, 1] True", out.stdout + out.stderr


def test_the_warm_up_is_skipped_not_fatal_when_the_library_cannot_be_read(tmp_path, monkeypatch):
    from itp_toolkit.server.page_kernel import warm_critique

    monkeypatch.setenv("ITP_CASE_LIBRARY", str(tmp_path / "missing"))
    assert warm_critique() is False
    monkeypatch.setenv("ITP_CASE_LIBRARY", str(tmp_path))  # a folder with no case in it
    assert warm_critique() is False
    (tmp_path / "case-broken.yaml").write_text("id: [not a case")
    assert warm_critique() is False


def widget_states_answered(spec_manager: PageKernelSpecManager) -> tuple[dict, list[str]]:
    """Start a page kernel as Voila would, make one widget, then ask for every widget's state the way the
    widget manager does on page open (a ``jupyter.widget.control`` comm, ``request_states``): the reply's
    data (``{}`` if none came) and the IOPub message types seen."""
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name=NATIVE_KERNEL_NAME, kernel_spec_manager=spec_manager)
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=240)
        client.execute_interactive("import ipywidgets; w = ipywidgets.Text(value='kept')", timeout=240)
        control = "control-comm"
        for msg_type, content, metadata in (
            ("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}}, {}),
            ("comm_msg", {"comm_id": control, "data": {"method": "request_states"}}, {}),
        ):
            msg = client.session.msg(msg_type, content, metadata={"version": "1.0.0", **metadata})
            client.shell_channel.send(msg)
        asked, seen = msg["header"]["msg_id"], []
        while True:  # until the request's idle status: its reply, if any, was published before it
            reply = client.get_iopub_msg(timeout=120)
            seen.append(reply["header"]["msg_type"])
            data = reply["content"].get("data") or {}
            if reply["header"]["msg_type"] == "comm_msg" and data.get("method") == "update_states":
                return data, seen
            if (
                reply["parent_header"].get("msg_id") == asked
                and reply["content"].get("execution_state") == "idle"
            ):
                return {}, seen
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.slow  # starts a preloading page kernel (a new process importing the page stack)
def test_a_preheated_kernel_answers_the_widget_manager_s_request_for_every_widget_s_state():
    """A preheated kernel imports ipywidgets before the kernel exists; ipywidgets then registers no comm
    targets, and the page's one bulk state request went unanswered: every preheated page waited 4 s and then
    asked for each widget's state apart (about 600 messages for the trainee page; the room benchmark's
    "fell back: 30 of 30"). The page kernel registers them once it is up."""
    data, seen = widget_states_answered(PreloadingKernelSpecManager())
    states = data.get("states") or {}
    assert any(s["state"].get("value") == "kept" for s in states.values()), seen
