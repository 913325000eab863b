"""Broken FHIR Bundles: import returns a plan or an InvalidInput located in the Bundle, never another
error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itp_toolkit.errors import InvalidInput
from itp_toolkit.formats.fhir import fhir_bundle_to_plan, plan_to_fhir_bundle
from itp_toolkit.model import TreatmentPlan

from .strategies import treatment_plans
from .test_fuzz_files import EXAMPLES, PHASES, mutated_data


@pytest.mark.slow
@settings(
    max_examples=max(EXAMPLES // 2, 10),
    phases=PHASES,
    deadline=None,  # no per-example timing; pytest-timeout catches hangs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_mutated_bundle_imports_or_is_refused_with_a_located_field(data):
    bundle = plan_to_fhir_bundle(data.draw(treatment_plans(max_problems=1)))
    mutated = data.draw(mutated_data(bundle))
    try:
        plan = fhir_bundle_to_plan(mutated, source="fuzz.json")
    except InvalidInput as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == "fuzz.json"
            assert problem.field, problem
    else:
        assert isinstance(plan, TreatmentPlan)
