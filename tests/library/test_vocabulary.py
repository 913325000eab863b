"""One curated vocabulary of treatment modalities and concern synonyms, used by every part that compares."""

import pytest

from itp_toolkit.library.vocabulary import concern_groups, modality


@pytest.mark.parametrize(
    "text, key",
    [
        ("CBT", "cbt"),
        ("Cognitive behavioral therapy", "cbt"),
        ("cognitive-behavioural therapy for depression", "cbt"),
        ("CBTp", "cbtp"),
        ("CBT for psychosis", "cbtp"),
        ("CBT-I", "cbt-i"),
        ("CBT for insomnia", "cbt-i"),
        ("Cognitive processing therapy (CPT)", "cpt"),
        ("Prolonged exposure", "pe"),
        ("Exposure and response prevention", "erp"),
        ("Family therapy", "family-therapy"),
        ("Interpersonal psychotherapy", "ipt"),
        ("IPT-A", "ipt-a"),
        ("Motivational interviewing", "mi"),
        ("Behavioural activation", "ba"),
        ("Behavioral activation", "ba"),
        ("Grief counselling", "grief-therapy"),
        ("Complicated grief treatment", "grief-therapy"),
    ],
)
def test_modalities_are_recognised_by_their_names_and_acronyms(text, key):
    found = modality(text)
    assert found is not None and found.key == key, found


@pytest.mark.parametrize("text", ["therapy", "counselling", "support", "weekly sessions", ""])
def test_words_that_name_no_particular_treatment_are_not_a_modality(text):
    assert modality(text) is None


def test_plain_cbt_is_never_cbt_for_psychosis():
    assert modality("CBT").label != modality("CBTp").label


@pytest.mark.parametrize(
    "a, b",
    [
        ("Grief since his wife died", "Intense yearning for his wife"),
        ("Bereavement", "Prolonged grief"),
        ("Cannot sleep", "Insomnia most nights"),
        ("Drinking more whisky in the evenings", "Alcohol use"),
        ("Passive death wishes", "Thoughts that her family would be better off without her"),
        ("Panic attacks in lectures", "Panic"),
    ],
)
def test_concern_synonyms_fall_in_the_same_group(a, b):
    assert concern_groups(a) & concern_groups(b)


def test_different_concerns_do_not_share_a_group():
    assert not concern_groups("Grief since his wife died") & concern_groups("Knee and back pain")


def test_the_vocabulary_file_is_well_formed():
    from itp_toolkit.library.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    keys = [m.key for m in vocab.modalities]
    assert len(keys) == len(set(keys)) and all(m.label and m.patterns for m in vocab.modalities)
    groups = [g.key for g in vocab.concerns]
    assert len(groups) == len(set(groups)) and all(g.terms for g in vocab.concerns)
