"""Right-to-left text and direction controls put into a sentence or label are isolated, so they cannot
reorder the words around them; the stored text is never changed, and left-to-right text is left alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from itp_toolkit.checks import critique
from itp_toolkit.model import CaseStudy
from itp_toolkit.model.base import FIRST_STRONG_ISOLATE as FSI
from itp_toolkit.model.base import POP_DIRECTIONAL_ISOLATE as PDI
from itp_toolkit.model.base import isolate
from itp_toolkit.store import PlanStore
from itp_toolkit.views.plan import plan_outline
from tests.apps.clinic import build_clinic
from tests.conftest import shipped_case, shipped_cases

HEBREW = "\u05d0\u05e0\u05d9 \u05e8\u05d5\u05e6\u05d4 \u05dc\u05d9\u05e9\u05d5\u05df"
UNCLOSED_OVERRIDE = "Ana \u202e"  # would reverse everything after it in the paragraph


def test_left_to_right_text_is_returned_unchanged():
    for text in ("Worry keeps her from studying", "café \U0001f9e0 e\u0301", ""):
        assert isolate(text) == text


def test_right_to_left_letters_and_direction_controls_are_wrapped_in_an_isolate():
    assert isolate(HEBREW) == f"{FSI}{HEBREW}{PDI}"
    assert isolate(UNCLOSED_OVERRIDE) == f"{FSI}{UNCLOSED_OVERRIDE}{PDI}"
    assert (
        isolate("\u0645\u0631\u062d\u0628\u0627 12:30") == f"{FSI}\u0645\u0631\u062d\u0628\u0627 12:30{PDI}"
    )
    assert isolate("mark \u200f here") == f"{FSI}mark \u200f here{PDI}"


@pytest.fixture
def cases() -> dict[str, CaseStudy]:
    return shipped_cases()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PlanStore]:
    """The apps' test clinic (an admin, supervisors, trainees) in a new SQLite store."""
    s = PlanStore.open(f"sqlite:///{tmp_path / 'itp.sqlite'}")
    build_clinic(s)
    yield s
    s.close()


def test_a_trainees_header_isolates_a_name_with_an_unclosed_override(store, cases):
    from itp_toolkit.apps import TraineeWorkspace

    store.add_person("dee", UNCLOSED_OVERRIDE, "trainee", actor="admin")
    assert (
        store.find_person("dee", actor="admin").display_name == UNCLOSED_OVERRIDE.strip()
    )  # stored as typed
    header = TraineeWorkspace(store, "dee", cases).header.value
    assert f"{FSI}Ana \u202e{PDI}&#39;s treatment plans" in header


def test_outline_labels_and_critique_messages_isolate_quoted_right_to_left_text():
    case = shipped_case("case-college-anxiety")
    plan = case.reference_plan.model_copy(deep=True)
    plan.problems[0].statement = HEBREW
    assert plan_outline(plan)[0].label == f"Problem 1: {FSI}{HEBREW}{PDI}"
    plan.problems[0].goals[0].objectives[0].interventions = []  # "Objective '<text>' has no intervention."
    plan.problems[0].goals[0].objectives[0].description = HEBREW
    quoted = [f.message for f in critique(plan, case) if HEBREW in f.message]
    assert quoted and all(f"'{FSI}{HEBREW}{PDI}'" in m for m in quoted)
