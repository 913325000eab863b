"""The example teaching notebooks (notebooks/examples/) run top to bottom in a fresh kernel and show
their widgets: an educator who copies one starts from a notebook that works."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[2] / "notebooks" / "examples"

EXPECTED = {
    "case_formulation.ipynb": {"itp-case-viewer", "itp-plan-editor", "itp-critique-panel", "itp-next-week"},
    "spot_the_cookie_cutter_plan.ipynb": {
        "itp-case-viewer",
        "itp-plan-compare",
        "itp-critique-panel",
        "itp-annotation-thread",
    },
    "measurement_based_care.ipynb": {"itp-measures", "itp-case-viewer", "itp-annotation-thread"},
}


def widget_classes(nb) -> set[str]:
    state = (
        nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    )
    return {c for model in state.values() for c in model.get("state", {}).get("_dom_classes", [])}


def test_every_example_notebook_is_covered():
    assert {p.name for p in EXAMPLES.glob("*.ipynb")} == set(EXPECTED)


@pytest.mark.slow  # a fresh kernel per notebook
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_notebook_executes_headless_and_shows_its_widgets(name: str) -> None:
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors[0].get("evalue")
    assert not [o for o in outputs if o.get("name") == "stderr"], "a cell wrote to stderr"
    assert EXPECTED[name] <= widget_classes(nb)
