"""The plan read as a document with "Edit plan" (the trainee page's plan column after a reload)."""

from __future__ import annotations

import re

from itp_toolkit.model import Annotation
from itp_toolkit.views.critique import element_anchor
from itp_toolkit.widgets._common import walk
from itp_toolkit.widgets.plan_outline import PlanOutline


def test_the_outline_is_one_html_block_in_clinic_words_with_the_trainees_text_escaped(college_case):
    plan = college_case.reference_plan.model_copy(deep=True)
    plan.problems[0].statement = "<img src=x onerror=alert(1)> panic in lectures"
    outline = PlanOutline(plan, college_case, on_edit=lambda: None)
    html = outline.document.value
    assert "<img" not in html and "&lt;img src=x" in html
    first = plan.problems[0]
    assert "Problem 1:" in html and "Goal 1.1:" in html and "Objective 1.1.1:" in html
    assert "Intervention 1.1.1.1:" in html
    assert f'id="{element_anchor(first.id)}"' in html  # where a critique finding's link scrolls to
    assert first.id not in re.sub(r"<[^>]+>", "", html)  # ids only in attributes, never as text
    # Five widgets (two boxes, the heading, the button, the document): not an editor's hundreds.
    assert len(list(walk(outline))) == 5


def test_comments_on_parts_sit_under_their_numbered_titles_in_plan_order(college_case):
    plan = college_case.reference_plan
    goal, problem = plan.problems[0].goals[0], plan.problems[1]
    notes = [
        Annotation(id=1, draft_id=1, revision=1, author="dr.okafor", body="Whose words?", element_id=goal.id),
        Annotation(
            id=2, draft_id=1, revision=1, author="dr.okafor", body="<b>Evidence?</b>", element_id=problem.id
        ),
        Annotation(id=3, draft_id=1, revision=1, author="ana", body="Hers.", element_id=goal.id, parent_id=1),
    ]
    outline = PlanOutline(plan, college_case, on_edit=lambda: None)
    outline.show(plan, notes, {"dr.okafor": "Dr. Okafor", "ana": "Ana"})
    html = outline.document.value
    assert html.index("Whose words?") < html.index("Hers.") < html.index("&lt;b&gt;Evidence?")
    assert "Dr. Okafor" in html and "dr.okafor" not in html
    assert "<b>Evidence" not in html


def test_edit_plan_asks_the_page_for_the_editor_unless_the_plan_is_read_only(college_case):
    asked: list[str] = []
    outline = PlanOutline(college_case.reference_plan, college_case, on_edit=lambda: asked.append("edit"))
    outline.edit_button.click()
    assert asked == ["edit"]
    outline.set_editable(False)  # submitted, signed off, or the workshop left drafting
    assert outline.edit_button.layout.display == "none"
    outline.edit_button.click()
    assert asked == ["edit"]
