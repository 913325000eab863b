from pathlib import Path

import pytest

from itp_toolkit.formats.files import load_case
from itp_toolkit.model import TreatmentPlan

CASES = Path(__file__).resolve().parents[2] / "case_studies"


@pytest.fixture(scope="session")
def college_case():
    return load_case(CASES / "case-college-anxiety.yaml")


@pytest.fixture
def blank_plan(college_case):
    return TreatmentPlan(id="plan-test", case_id=college_case.id)


@pytest.fixture
def ids():
    """Deterministic ids for new elements: prb-t1, gol-t2, ..."""
    from itp_toolkit.model.ids import PREFIXES

    counter = iter(range(1, 10_000))
    return lambda kind: f"{PREFIXES[kind]}-t{next(counter)}"


def all_case_files():
    return sorted(CASES.glob("*.yaml"))
