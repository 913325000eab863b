"""The widgets a notebook author composes (``itp_toolkit.widgets.__all__``), each built without a kernel."""

from __future__ import annotations

import re

import ipywidgets as w
import pytest

import itp_toolkit.widgets as widgets
from itp_toolkit.model import editing as e
from tests.apps.clinic import *  # noqa: F403 - fixtures (store, college, cases, clock, scheduler)
from tests.apps.clinic import CASE_ID, ManualScheduler
from tests.widgets.test_case_viewer import shown_text

PUBLIC = {
    "AnnotationThread",
    "CaseViewer",
    "CritiquePanel",
    "DraftEditor",
    "MeasuresPlot",
    "PlanCompare",
    "PlanEditor",
    "connect_critique",
    "critique_for",
}


def test_the_public_api_is_exactly_the_documented_widgets():
    assert set(widgets.__all__) == PUBLIC
    for name in widgets.__all__:
        assert getattr(widgets, name).__doc__, f"{name} has no docstring"
    with pytest.raises(AttributeError):
        widgets.ElementCard  # noqa: B018 - an internal part of the editor, not public


def test_every_public_name_is_documented_in_the_authoring_guide():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "authoring.md").read_text(encoding="utf-8")
    for name in widgets.__all__:
        assert f"`{name}" in guide, f"docs/authoring.md does not show {name}"


def test_case_viewer_shows_only_the_chosen_sections(college):
    viewer = widgets.CaseViewer(college, week=6, sections=("words", "timeline"))
    text = shown_text(viewer)
    assert "In their own words" in text and "failed midterm" in text
    assert "History" not in text and "Barriers to care" not in text and "Scores" not in text
    assert 'id="itp-case-history"' not in viewer.document.value  # one document, only the chosen parts


def test_case_viewer_up_to_a_week_hides_later_events(college):
    viewer = widgets.CaseViewer(college, week=0, sections=("timeline",))
    assert "failed midterm" not in shown_text(viewer)
    viewer.advance(6)
    assert "failed midterm" in shown_text(viewer)


def test_case_viewer_refuses_an_unknown_section(college):
    with pytest.raises(ValueError, match="unknown case sections"):
        widgets.CaseViewer(college, sections=("history", "teaching_notes"))


def test_plan_editor_edits_a_plan_in_memory_and_critique_for_follows_it(college):
    plan = e.add_problem(
        college.reference_plan.model_copy(update={"problems": []}), "Worry", element_id="prb-a"
    )
    editor = widgets.PlanEditor(plan, college)
    panel = widgets.critique_for(editor, delay=0)
    before = panel.runs
    editor.set_field("prb-a", "statement", "Panic attacks before exams keep her from sitting them")
    panel.refresh()
    assert panel.plan == editor.plan and panel.runs > before
    assert panel.week == editor.week
    focused = []
    editor.observe(lambda ch: focused.append(ch["new"]), "focused_id")
    panel.focus("prb-a")
    assert editor.focused_id == "prb-a"


def test_draft_editor_saves_what_is_typed_after_a_pause(store, college, clock):
    scheduler = ManualScheduler(clock)
    draft = store.start_draft(CASE_ID, actor="ana")
    editor = widgets.DraftEditor(
        store, draft.id, "ana", college, autosave_delay=1.0, scheduler=scheduler, clock=clock
    )
    panel = widgets.critique_for(editor, delay=0)
    editor.editor.add_problem("Panic before exams")
    assert editor.session.state == "unsaved" and editor.plan.problems
    scheduler.advance(2.0)
    assert editor.session.state == "saved"
    saved = store.get_revision(draft.id, actor="ana")
    assert saved.problems[0].statement == "Panic before exams"
    panel.refresh()
    assert panel.plan.problems[0].statement == "Panic before exams"


def test_draft_editor_of_someone_elses_draft_is_refused(store, college):
    from itp_toolkit.errors import ITPError

    draft = store.start_draft(CASE_ID, actor="ana")
    with pytest.raises(ITPError):
        widgets.DraftEditor(store, draft.id, "ben", college)


def test_plan_compare_aligns_two_plans_and_scores_them(college):
    reference = college.reference_plan
    generic = reference.model_copy(update={"problems": reference.problems[:1], "strengths_used": []})
    compare = widgets.PlanCompare(reference, generic, labels=("Reference", "Short"), case=college)
    counts = compare.counts()
    assert counts["same"] >= 1 and counts["one plan only"] >= 1
    assert compare.scores is not None and compare.scores[0] > compare.scores[1]
    html = compare.table.value
    assert "Reference" in html and "itp-compare-missing" in html
    assert not any(el.id in html for el in reference.elements()), "an element id reached the page"
    assert not any(s.id in html for s in college.strengths), "a case fact id reached the page"


def test_plan_compare_escapes_plan_text(college):
    plan = e.add_problem(
        college.reference_plan.model_copy(update={"problems": []}),
        "<img src=x onerror=alert(1)>",
        element_id="prb-x",
    )
    compare = widgets.PlanCompare(plan, college.reference_plan)
    assert "<img" not in compare.table.value and "&lt;img" in compare.table.value


def test_plan_compare_refuses_plans_of_another_case(college, cases):
    other = cases["case-perinatal-rural"].reference_plan
    with pytest.raises(ValueError):
        widgets.PlanCompare(college.reference_plan, other)


def _alt(figure_html: str) -> str:
    found = re.search(r'alt="([^"]*)"', figure_html)
    assert found, figure_html[:200]
    return found.group(1)


def test_measures_plot_reveals_scores_week_by_week_and_reads_the_change(college):
    plot = widgets.MeasuresPlot(college, week=0)
    first = plot.png
    assert first.startswith(b"\x89PNG")
    assert all("one score so far" in c.reading for c in plot.changes)
    shown = plot.image.value
    assert '<img src="data:image/png;base64,' in shown and "week 0" in _alt(shown)
    assert plot.week_input.description == "Week"  # its accessible name: a label for the number box
    plot.week_input.value = 10
    assert plot.week == 10 and plot.png != first
    assert "week 10" in _alt(plot.image.value) and "week 10" not in _alt(shown)
    assert any(c.latest_week > 0 for c in plot.changes)
    assert "What the change means" in plot.table.value


def test_annotation_thread_in_memory_threads_replies_and_resolves(college):
    plan = college.reference_plan
    goal = plan.problems[0].goals[0]
    thread = widgets.AnnotationThread(plan, goal.id, author="Dr. Okafor", case=college)
    assert "No comments yet" in thread.body.value
    assert goal.statement[:30] in thread.heading.value
    first = thread.comment("Whose words is this goal in? <b>ask her</b>")
    thread.text.value = "Hers: she said it at intake."
    thread.button.click()
    assert first is not None and len(thread.annotations) == 2
    assert thread.annotations[1].parent_id == first.id
    assert "&lt;b&gt;ask her" in thread.body.value and "itp-thread-reply" in thread.body.value
    thread.resolve()
    assert thread.annotations[0].resolved and "resolved" in thread.body.value
    assert thread.comment("   ") is None and "Write the comment" in thread.message.value


def test_annotation_thread_refuses_an_element_the_plan_lacks(college):
    with pytest.raises(ValueError):
        widgets.AnnotationThread(college.reference_plan, "gol-not-there", author="x")


def test_annotation_thread_in_the_store_is_the_supervisors_and_the_store_decides(store, college):
    draft = store.start_draft(CASE_ID, actor="ana")
    plan = e.add_problem(store.blank_plan(draft.id, actor="ana"), "Panic", element_id="prb-p")
    store.save_revision(draft.id, plan, based_on=0, actor="ana")
    thread = widgets.AnnotationThread(plan, "prb-p", author="dr.okafor", store=store, draft_id=draft.id)
    made = thread.comment("Which exams?", tags=["question"])
    assert made is not None and made.id is not None
    thread.comment("And which week?")
    again = widgets.AnnotationThread(plan, "prb-p", author="dr.okafor", store=store, draft_id=draft.id)
    assert [a.body for a in again.annotations] == ["Which exams?", "And which week?"]
    assert again.annotations[1].parent_id == made.id
    peer = widgets.AnnotationThread(plan, "prb-p", author="ben", store=store, draft_id=draft.id)
    assert peer.comment("I think it's fine") is None and peer.message.value


def test_every_public_widget_is_an_ipywidget(college):
    plan = college.reference_plan
    built = [
        widgets.CaseViewer(college),
        widgets.PlanEditor(plan, college),
        widgets.CritiquePanel(plan, college),
        widgets.PlanCompare(plan, plan),
        widgets.MeasuresPlot(college),
        widgets.AnnotationThread(plan, None, author="x"),
    ]
    assert all(isinstance(b, w.DOMWidget) for b in built)
