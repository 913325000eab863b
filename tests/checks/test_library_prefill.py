"""A library intervention pre-filled by the editor and never adapted is cookie-cutter text to critique."""

from itp_toolkit.checks import critique
from itp_toolkit.formats.files import load_case
from itp_toolkit.library.cases import case_library_dir
from itp_toolkit.library.interventions import apply_library_intervention, load_intervention_library


def test_unadapted_library_prefill_is_flagged_as_generic_and_adapting_it_clears_the_flag():
    case = load_case(case_library_dir() / "case-college-anxiety.yaml")
    plan = case.reference_plan
    _, _, objective = next(plan.objectives())
    item = load_intervention_library().families[0].items[0]
    prefilled = apply_library_intervention(plan, objective.id, item)
    new_id = prefilled.element(objective.id).interventions[-1].id
    flagged = {(f.rule, f.element_id) for f in critique(prefilled, case, week=plan.written_at_week)}
    assert any(rule.startswith("individual.") and eid == new_id for rule, eid in flagged)
