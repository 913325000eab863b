"""Markdown export: printable, complete, and trainee text cannot smuggle HTML or links into it."""

from itp_toolkit.formats.markdown import md_text, plan_to_markdown
from itp_toolkit.model import BarrierPlan, DischargeCriterion
from tests.model.test_plan_model import small_plan


def test_markdown_shows_the_plan_structure_and_targets():
    plan = small_plan()
    plan.barriers.append(BarrierPlan(barrier="no car", mitigation="telehealth sessions"))
    plan.discharge_criteria.append(DischargeCriterion(text="PHQ-9 under 10 twice, four weeks apart"))
    text = plan_to_markdown(plan)
    assert "## Problem 1: Low mood" in text
    assert "*As evidenced by* stays in bed until noon 5 days a week" in text
    assert "(in the person's own words)" in text
    assert "baseline 17 (moderately severe); target 8; by week 12" in text
    assert "no car → telehealth sessions" in text
    assert "Next review: not set" in text


def test_html_and_markdown_links_in_trainee_text_are_escaped():
    plan = small_plan()
    plan.problems[0].statement = "<img src=x onerror=alert(1)> [click](javascript:alert(1))"
    text = plan_to_markdown(plan)
    assert "<img" not in text
    assert "](javascript:" not in text
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in text


def test_md_text_folds_newlines_so_a_field_cannot_start_a_heading():
    assert md_text("fine\n# Heading") == "fine \\# Heading"
