"""The cohort and debrief tables name treatments and concerns from the shared vocabulary."""

from itp_toolkit.compare.alignment import matched_concerns, modality_key
from itp_toolkit.compare.cohort import canonical_modality
from itp_toolkit.library.cases import get_case
from itp_toolkit.model import Problem


def test_plain_cbt_is_shown_as_cbt_not_cbt_for_psychosis():
    key, label = canonical_modality("CBT")
    assert "psychosis" not in label.lower() and "CBT" in label


def test_the_word_therapy_alone_is_not_family_therapy():
    assert "family" not in canonical_modality("therapy")[1].lower()


def test_spelling_variants_of_one_modality_share_a_row():
    assert canonical_modality("Behavioral activation")[0] == canonical_modality("behavioural activation")[0]
    assert modality_key("Cognitive behavioral therapy") == modality_key("CBT")


def test_a_grief_problem_matches_the_case_s_grief_concern():
    case = get_case("case-older-adult-bereavement")
    assert matched_concerns(Problem(statement="Grief since his wife died"), case) == ["pc-grief"]
    assert matched_concerns(Problem(statement="Bereavement"), case) == ["pc-grief"]
