import pytest

from tests.checks.builders import make_case, strong_plan


@pytest.fixture
def case():
    return make_case()


@pytest.fixture
def plan():
    return strong_plan()
