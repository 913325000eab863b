"""Individualization credits substance a reader would recognise, not single common words."""

from itp_toolkit.checks import critique, individualization_score
from tests.checks.builders import make_case, strong_plan
from tests.conftest import shipped_cases

CONTEXT = (
    "She is the elder daughter of parents who run a small family restaurant; she is the first in her family "
    "to "
    "attend university and sends part of her cafe wages home. Her roommate is her closest friend on campus."
)


def _culture(plan, case):
    return {c.name: c for c in individualization_score(plan, case).breakdown}["cultural context reflected"]


def _plain_plan():
    plan = strong_plan()
    plan.element("int-ba").description = "Behavioural activation: a run with her roommate, then the cafe"
    plan.element("int-walk").description = "Plan morning walks in session"
    plan.strengths_used[0].how = "Rejoins rehearsal as a weekly activation goal"
    plan.participation.note = "She chose the time"
    return plan


def test_single_common_words_from_the_context_earn_no_cultural_points():
    case = make_case(cultural_social_context=CONTEXT)
    assert _culture(_plain_plan(), case).points == 0


def test_phrases_a_reader_would_recognise_earn_the_cultural_points():
    case = make_case(cultural_social_context=CONTEXT)
    plan = _plain_plan()
    plan.element("int-walk").description = (
        "Plan walks around her shifts at the family restaurant; "
        "talk about being the first in her family to attend university"
    )
    culture = _culture(plan, case)
    assert culture.points == 20
    assert "family restaurant" in culture.detail


def test_cultural_finding_fires_when_only_common_words_are_shared():
    case = make_case(cultural_social_context=CONTEXT)
    rules = {f.rule for f in critique(_plain_plan(), case)}
    assert "individual.cultural_context_unused" in rules


def test_using_a_strength_in_words_counts_without_linking_it():
    case = make_case()
    plan = strong_plan(strengths_used=[])
    plan.element("obj-walk").linked_facts = []
    plan.element("int-walk").linked_facts = []
    plan.element("int-walk").description = "Her sister walks with her after night shifts"
    used = {c.name: c for c in individualization_score(plan, case).breakdown}["strengths used"]
    assert used.points > 0


def test_quoting_the_person_counts_without_linking_the_quote():
    case = make_case()
    plan = strong_plan()
    plan.element("gol-sing").patient_quote_id = None
    plan.element("gol-sleep").linked_facts = []
    plan.element("gol-sleep").statement = '"I\'m just so tired all the time": sleep six hours after shifts'
    quotes = {c.name: c for c in individualization_score(plan, case).breakdown}["quotes used"]
    assert quotes.points > 0


def test_score_facts_are_named_by_their_text_not_their_id():
    case = make_case()
    result = individualization_score(strong_plan(strengths_used=[], barriers=[]), case)
    assert all(
        not fact.startswith(("s-", "b-", "q-", "c-")) for fact in result.facts_ignored + result.facts_used
    )
    assert any("Sister lives nearby" in fact for fact in result.facts_ignored + result.facts_used)


def test_an_empty_mitigation_like_noted_is_no_mitigation():
    from itp_toolkit.model import BarrierPlan

    case = make_case()
    plan = strong_plan(
        barriers=[
            BarrierPlan(id="bar-bus", barrier_id="b-bus", mitigation="Noted."),
            BarrierPlan(
                id="bar-shift", barrier_id="b-shifts", mitigation="Evening sessions before her shift"
            ),
        ]
    )
    found = [f for f in critique(plan, case) if f.rule == "individual.empty_mitigation"]
    assert [f.element_id for f in found] == ["bar-bus"]


def test_the_shipped_phrase_table_covers_every_library_case():
    """So a page never loads spaCy for a library case; regenerate with python -m
    itp_toolkit.checks.phrases."""
    import json
    from pathlib import Path

    from itp_toolkit.checks import phrases

    table = json.loads((Path(phrases.__file__).parent / phrases.SHIPPED).read_text("utf-8"))
    assert table["version"] == phrases.PHRASES_VERSION
    for case in shipped_cases().values():
        assert phrases._digest(case.cultural_social_context) in table["phrases"], case.id


def test_the_score_quotes_the_context_where_the_plan_reflected_it_in_the_case_s_own_words():
    """A supervisor reads what counted: the part of the clause the plan reflected, as the case wrote it
    ('…parents who run a small family restaurant'), not its matched words strung together."""
    case = make_case(cultural_social_context=CONTEXT)
    plan = _plain_plan()
    plan.element("int-walk").description = "Plan walks around her shifts at the family restaurant"
    detail = _culture(plan, case).detail
    assert "who run a small family restaurant”" in detail, detail
    assert "elder daughter of parents" in detail  # the clause around the words, to a whole word


def test_a_long_clause_is_shown_around_the_words_the_plan_shared():
    from itp_toolkit.checks.phrases import Phrase
    from itp_toolkit.checks.text import stem

    text = (
        "Her daughter cooks Sunday dinner with her every week and wants her at the volleyball games on "
        "Saturdays, which she has missed since the spring"
    )
    words = tuple((w, stem(w)) for w in ("daughter", "cooks", "Sunday", "dinner", "volleyball", "games"))
    phrase = Phrase(text, frozenset(k for _, k in words), words)
    shown = phrase.excerpt(frozenset({stem("volleyball"), stem("games")}), width=50)
    assert "volleyball games" in shown and shown.startswith("…") and shown.endswith("…")
    assert len(shown) <= 52 and " ".join(shown.strip("…").split()) in text
    assert phrase.excerpt(frozenset({stem("daughter")}), width=500) == text  # short enough: all of it
