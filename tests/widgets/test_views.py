from matplotlib.figure import Figure

from itp_toolkit.checks import Finding
from itp_toolkit.views import (
    case_sections,
    critique_groups,
    fact_choices,
    figure_png,
    measure_plot,
    measure_series,
    plan_outline,
    revealed_events,
)
from itp_toolkit.views.case import PICKER_CHARS, first_words, library_options, picker_options
from itp_toolkit.views.html import image_html


def all_text(sections):
    return "\n".join(s.title + "\n" + "\n".join(s.paragraphs + s.items) for s in sections)


def test_case_sections_never_include_supervisor_material(college_case):
    assert college_case.teaching_notes and college_case.discussion_questions and college_case.reference_plan
    text = all_text(case_sections(college_case, week=52))
    assert college_case.teaching_notes[:60] not in text
    for question in college_case.discussion_questions:
        assert question not in text
    assert "plan-ref" not in text and "Reference plan" not in text


def test_timeline_events_appear_only_once_their_week_is_reached(college_case):
    assert revealed_events(college_case, 5) == []
    assert [e.id for e in revealed_events(college_case, 6)] == ["ev-midterm"]
    assert "request for a letter" not in all_text(case_sections(college_case, 5))
    assert "request for a letter" in all_text(case_sections(college_case, 6))


def test_fact_choices_cover_every_kind_and_hide_future_events(college_case):
    choices = fact_choices(college_case, week=0)
    kinds = {c.kind for c in choices}
    assert kinds == {"concern", "strength", "barrier", "quote"}
    assert {c.id for c in fact_choices(college_case, week=10) if c.kind == "event"} == {
        "ev-midterm",
        "ev-session-eight",
    }


def test_first_words_cut_at_a_word_and_say_so():
    text = "Her grandmother, who lives with the family, is the person she feels closest to"
    short = first_words(text, 36)
    assert short == "Her grandmother, who lives with the…" and len(short) <= 36
    assert first_words("Peer support", 36) == "Peer support"  # short texts stay whole
    assert first_words("  two\n  lines ", 36) == "two lines"


def test_picker_options_fit_a_select_and_keep_every_fact(college_case):
    for kind, facts in (
        ("quote", college_case.patient_words),
        ("strength", college_case.strengths),
        ("barrier", college_case.barriers),
        ("concern", college_case.presenting_concerns),
    ):
        options = picker_options(college_case, kind)
        assert [fact_id for _, fact_id in options] == [f.id for f in facts]
        assert all(len(label) <= PICKER_CHARS for label, _ in options), options
    assert all(
        label.startswith("“") and label.endswith("”") for label, _ in picker_options(college_case, "quote")
    )
    choices = fact_choices(college_case, week=10)
    assert all(
        len(c.option) <= PICKER_CHARS and c.option.split(":")[0] == c.label.split(":")[0] for c in choices
    )
    library = library_options(college_case)
    assert library and all(len(label) <= 44 for label, _ in library)


def test_image_html_gives_the_png_a_text_alternative():
    figure = image_html(b"\x89PNG fake", 'Scores: "PHQ-9" <falling>', "itp-figure")
    assert figure.startswith('<figure class="itp-figure"><img src="data:image/png;base64,')
    assert 'alt="Scores: &#34;PHQ-9&#34; &lt;falling&gt;"' in figure  # escaped, never markup
    assert image_html(b"", "nothing") == ""


def test_measure_plot_has_one_panel_per_instrument_with_bands_shaded(college_case):
    fig = measure_plot(college_case, week=6)
    assert isinstance(fig, Figure)
    series = measure_series(college_case, 6)
    assert [s.instrument.code for s in series] == ["GAD-7", "PHQ-9"]
    assert series[0].weeks == (0, 1, 6) and series[0].scores == (17, 16, 18)
    gad_axes = fig.axes[0]
    assert len(gad_axes.patches) == len(series[0].instrument.bands)  # one shaded span per severity band
    assert figure_png(fig).startswith(b"\x89PNG")


def test_measure_plot_without_scores_says_so(college_case):
    case = college_case.model_copy(update={"measures": [], "timeline": []})
    fig = measure_plot(case, week=0)
    assert "No scores" in fig.axes[0].texts[0].get_text()


def test_plan_outline_numbers_rows_and_knows_which_can_move(college_case):
    rows = plan_outline(college_case.reference_plan)
    first, last_problem = rows[0], [r for r in rows if r.kind == "problem"][-1]
    assert first.label.startswith("Problem 1: ") and not first.can_move_up and first.can_move_down
    assert last_problem.can_move_up and not last_problem.can_move_down
    gad = next(r for r in rows if r.element_id == "obj-gad7")
    assert gad.depth == 2 and gad.parent_id == "gol-exam" and "16 → 9" in gad.label and "week 10" in gad.label


def finding(rule, severity, element_id=None):
    return Finding(rule=rule, severity=severity, element_id=element_id, message=f"{rule} message")


def test_critique_groups_put_families_with_problems_first_and_count_them():
    findings = [
        finding("smart.no_target", "warning", "obj-a"),
        finding("smart.no_measure", "info", "obj-a"),
        finding("collab.no_participation", "problem"),
        finding("smart.vague", "problem", "obj-b"),
        finding("individual.generic_text", "warning", "int-a"),
    ]
    groups = critique_groups(findings)
    assert [g.family for g in groups] == ["smart", "collab", "individual"]
    smart = groups[0]
    assert [f.severity for f in smart.findings] == ["problem", "warning", "info"]
    assert smart.counts == {"problem": 1, "warning": 1, "info": 1}
    assert smart.heading == "SMART objectives — 1 problem, 1 warning, 1 info"
    assert critique_groups([]) == []


def test_the_plot_key_names_what_the_picture_is_drawn_from(college_case):
    from itp_toolkit.views.measures import measure_plot_key

    key = measure_plot_key(college_case, 6)
    assert key == measure_plot_key(college_case.model_copy(deep=True), 6)  # same data, same picture
    assert key == measure_plot_key(college_case.for_trainee(), 6)  # notes are not in the picture
    assert measure_plot_key(college_case, 10) != key  # another week (a new score, a wider axis)
    assert measure_plot_key(college_case, 7) != key  # same scores, but the axis runs to week 7
    first = college_case.measures[0]
    rescored = college_case.model_copy(
        update={"measures": [first.model_copy(update={"score": first.score - 1}), *college_case.measures[1:]]}
    )
    assert measure_plot_key(rescored, 6) != key  # another score
    other = college_case.model_copy(update={"measures": [], "timeline": []})
    assert measure_plot_key(other, 6) != key  # another case's scores


def test_the_plot_key_changes_with_the_plot_style_and_matplotlib(college_case, monkeypatch):
    import matplotlib

    from itp_toolkit.views import measures

    key = measures.measure_plot_key(college_case, 6)
    monkeypatch.setattr(measures, "PLOT_STYLE", measures.PLOT_STYLE + 1)
    assert measures.measure_plot_key(college_case, 6) != key
    monkeypatch.undo()
    monkeypatch.setattr(matplotlib, "__version__", "0.0-other")
    assert measures.measure_plot_key(college_case, 6) != key
