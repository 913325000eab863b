import pytest

from itp_toolkit.errors import InvalidInput
from itp_toolkit.library.interventions import (
    library_choices,
    library_texts,
    load_intervention_library,
    suggested_families,
)
from itp_toolkit.model import Diagnosis
from tests.conftest import shipped_case

from .conftest import all_case_files

REQUIRED = {
    "depression": {"Behavioural activation", "Interpersonal psychotherapy", "Problem-solving", "depression"},
    "anxiety": {"interoceptive exposure", "Applied relaxation"},
    "ptsd": {"CPT", "PE", "EMDR", "WET"},
    "substance_use": {"MI", "Contingency management", "Mutual-help", "substance use"},
    "psychosis": {"CBTp", "Family", "IPS", "Coordinated specialty care"},
    "perinatal": {"IPT", "Peer support"},
    "chronic_pain": {"CBT for chronic pain", "ACT"},
    "grief": {"Complicated grief"},
    "adolescent": {"IPT-A", "Family therapy"},
}


def test_every_family_offers_the_named_evidence_based_options():
    library = load_intervention_library()
    assert [f.id for f in library.families] == list(REQUIRED)
    for family_id, names in REQUIRED.items():
        modalities = " | ".join(i.modality for i in library.family(family_id).items)
        for name in names:
            assert name in modalities, (family_id, name)


def test_every_option_has_a_shape_and_a_named_source():
    items = [i for f in load_intervention_library().families for i in f.items]
    assert len({i.id for i in items}) == len(items)
    for item in items:
        assert item.frequency and item.duration and item.template
        assert any(ch.isdigit() for ch in item.evidence_base), item.id  # a guideline number or a year


def test_a_malformed_library_file_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "lib.yaml"
    bad.write_text("families:\n  - id: x\n    label: X\n    items:\n      - id: lib-x\n        modality: M\n")
    with pytest.raises(InvalidInput) as err:
        load_intervention_library(str(bad))
    assert all(p.line for p in err.value.problems)


def test_templates_are_offered_to_critique_as_library_text():
    texts = library_texts()
    assert len(texts) == sum(len(f.items) for f in load_intervention_library().families)


def test_the_college_case_is_suggested_anxiety_options_first(college_case):
    assert suggested_families(college_case) == [
        "anxiety"
    ]  # caffeine-induced anxiety is not a substance disorder
    first_label, first_id = library_choices(college_case)[0]
    assert first_id.startswith("lib-anx-") and "(suggested)" in first_label


def test_families_follow_diagnosis_codes_and_age(college_case):
    case = college_case.model_copy(
        update={
            "working_diagnosis": [
                Diagnosis(label="Posttraumatic stress disorder", code="F43.10"),
                Diagnosis(label="Alcohol use disorder, moderate", code="F10.20"),
            ]
        }
    )
    assert suggested_families(case) == [
        "anxiety",
        "ptsd",
        "substance_use",
    ]  # 'panic' in a concern keeps anxiety


@pytest.mark.parametrize("path", all_case_files(), ids=lambda p: p.stem)
def test_every_case_in_the_library_gets_at_least_one_suggestion(path):
    assert suggested_families(shipped_case(path.stem))


def test_each_case_is_pointed_at_the_options_for_its_problems():
    from .conftest import CASES

    expected = {
        "case-chronic-pain-depression": {"chronic_pain", "depression"},
        "case-veteran-ptsd-alcohol": {"ptsd", "substance_use"},
        "case-perinatal-rural": {"perinatal", "depression"},
        "case-adolescent-depression": {"adolescent", "depression"},
        "case-older-adult-bereavement": {"grief"},
        "case-psychosis-stepdown": {"psychosis"},
    }
    for stem, families in expected.items():
        path = CASES / f"{stem}.yaml"
        if path.exists():
            assert families <= set(suggested_families(shipped_case(stem))), stem
