import threading
import time

from itp_toolkit.checks import Finding, critique, individualization_score
from itp_toolkit.views.critique import element_anchor, one_per_cause
from itp_toolkit.widgets import CritiquePanel, PlanEditor, connect_critique
from itp_toolkit.widgets.plan_editor import FOCUS_CLASS


def test_panel_shows_each_cause_once_grouped_by_element_worst_first(blank_plan, college_case, ids):
    editor = PlanEditor(blank_plan, college_case, id_factory=ids)
    pid = editor.add_problem("Client will reduce symptoms of anxiety")
    gid = editor.add_goal(pid, "Client will improve coping skills")
    editor.add_objective(gid, "Client will learn coping skills")
    panel = CritiquePanel(editor.plan, college_case)
    expected = critique(editor.plan, college_case)
    assert panel.findings == expected and expected
    assert sorted(panel.shown_findings, key=expected.index) == one_per_cause(expected)
    assert len({g.element_id for g in panel.groups}) == len(panel.groups)  # one group per element
    order = {"problem": 0, "warning": 1, "info": 2}
    worst = [order[g.worst] for g in panel.groups]
    assert worst == sorted(worst)
    for group in panel.groups:  # the group's heading is the element as the editor numbers it
        if group.element_id is not None:
            assert group.label == editor.cards[group.element_id].title
    assert panel.score.score == individualization_score(editor.plan, college_case).score
    report = panel.report.value
    assert (
        f'How individual the plan is: <span class="itp-score-value">{panel.score.score}/100</span>' in report
    )
    assert "How the score is made" in report and '<th scope="col">Points</th>' in report


def test_the_same_cause_is_shown_once(college_case):
    plan = college_case.reference_plan
    twice = [
        Finding(rule="smart.a", severity="warning", element_id="obj-lecture", message="No date."),
        Finding(rule="smart.a", severity="warning", element_id="obj-lecture", message="No date."),
        Finding(rule="smart.b", severity="problem", element_id="obj-lecture", message="no date. "),
        Finding(rule="smart.a", severity="info", element_id=None, message="Whole plan", subject="s-1"),
        Finding(rule="smart.a", severity="info", element_id=None, message="Other fact", subject="s-2"),
    ]
    panel = CritiquePanel(plan, college_case, critique_fn=lambda *a, **k: twice)
    assert [f.message for f in panel.shown_findings] == ["No date.", "Whole plan", "Other fact"]
    assert panel.report.value.count("No date.") == 1


def test_many_findings_show_the_first_few_then_show_all(blank_plan, college_case):
    many = [
        Finding(rule=f"smart.r{n}", severity="warning", element_id=None, message=f"Finding number {n}")
        for n in range(12)
    ]
    panel = CritiquePanel(blank_plan, college_case, critique_fn=lambda *a, **k: many)
    report = panel.report.value
    assert "<details" in report and "Show all 12 findings" in report
    assert all(f"Finding number {n}" in report for n in range(12))  # all there, the rest folded


def test_a_finding_links_to_its_elements_anchor_in_the_editor(college_case):
    editor = PlanEditor(college_case.reference_plan, college_case)
    # make one objective unmeasurable so there is a finding on it
    editor.cards["obj-lecture"].fields["description"].value = "Client will learn coping skills"
    panel = CritiquePanel(editor.plan, college_case, week=1)
    connect_critique(editor, panel)
    anchor = element_anchor("obj-lecture")
    assert f'href="#{anchor}"' in panel.report.value  # the browser scrolls there; CSS :target highlights
    assert f'id="{anchor}"' in editor.cards["obj-lecture"].header.value
    panel.focus("obj-lecture")  # the Python twin
    assert editor.focused_id == "obj-lecture" and FOCUS_CLASS in editor.cards["obj-lecture"]._dom_classes


def test_plan_level_findings_have_no_element_to_link_to(blank_plan, college_case):
    panel = CritiquePanel(blank_plan, college_case)
    whole_plan = [g for g in panel.groups if g.element_id is None]
    assert whole_plan and whole_plan[0].label == "The whole plan"
    assert panel.report.value.count('class="itp-goto"') == len(panel.groups) - 1


class CountingCritique:
    def __init__(self):
        self.plans = []
        self.lock = threading.Lock()

    def __call__(self, plan, case, **kwargs):
        with self.lock:
            self.plans.append(plan)
        return [
            Finding(rule="smart.test", severity="warning", element_id=None, message=plan.title or "untitled")
        ]


def test_rapid_edits_are_critiqued_once_after_the_pause_with_the_latest_plan(blank_plan, college_case):
    counting = CountingCritique()
    # A generous delay: twenty edits (about a millisecond each) must land inside it on a loaded machine.
    panel = CritiquePanel(blank_plan, college_case, critique_fn=counting, delay=1.0)
    assert len(counting.plans) == 1  # the first render
    for n in range(20):
        panel.plan = blank_plan.model_copy(update={"title": f"draft {n}"})
    assert len(counting.plans) == 1  # nothing yet: still typing
    deadline = time.monotonic() + 30  # waits only as long as it takes; the bound is for a hung timer
    while len(counting.plans) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # a timer per edit would fire within milliseconds of the first: none comes
    assert len(counting.plans) == 2
    assert counting.plans[-1].title == "draft 19" and panel.findings[0].message == "draft 19"


def test_refresh_runs_at_once_and_cancels_the_scheduled_run(blank_plan, college_case):
    counting = CountingCritique()
    panel = CritiquePanel(blank_plan, college_case, critique_fn=counting, delay=0.2)
    panel.plan = blank_plan.model_copy(update={"title": "now"})
    panel.refresh()
    assert panel.findings[0].message == "now" and panel.runs == 2
    time.sleep(0.4)
    assert panel.runs == 2


def test_a_failing_scheduled_critique_is_reported_not_raised(blank_plan, college_case):
    calls = []

    def broken(plan, case, **kwargs):
        calls.append(plan)
        if len(calls) > 1:
            raise RuntimeError("rule crashed")
        return []

    panel = CritiquePanel(blank_plan, college_case, critique_fn=broken, delay=0.05)
    panel.plan = blank_plan.model_copy(update={"title": "x"})
    deadline = time.monotonic() + 30
    while "could not run" not in panel.status.value and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "rule crashed" in panel.status.value


def test_a_rerun_that_changes_nothing_sends_nothing(blank_plan, college_case):
    panel = CritiquePanel(blank_plan, college_case)
    before = panel.report.value
    sent = []
    panel.report.observe(lambda change: sent.append(change), "value")
    panel.refresh()
    assert panel.report.value == before and sent == []
    assert panel.findings == critique(panel.plan, college_case)


def test_connected_panel_critiques_at_the_editors_exercise_week(college_case):
    editor = PlanEditor(college_case.reference_plan, college_case, week=1)
    panel = CritiquePanel(editor.plan, college_case, delay=0.05)
    connect_critique(editor, panel)
    editor.week = 10
    panel.refresh()
    assert panel.week == 10
    assert panel.findings == critique(editor.plan, college_case, week=10)
    assert any(f.family == "revision" for f in panel.findings)


def test_problems_are_never_folded_away(blank_plan, college_case):
    findings = [
        Finding(rule=f"smart.w{n}", severity="warning", element_id=None, message=f"Warning {n}")
        for n in range(8)
    ] + [
        Finding(rule=f"smart.p{n}", severity="problem", element_id=None, message=f"Problem {n}")
        for n in range(8)
    ]
    panel = CritiquePanel(blank_plan, college_case, critique_fn=lambda *a, **k: findings)
    shown, folded = panel.report.value.split("<details", 1)
    assert all(f"Problem {n}" in shown for n in range(8))
    assert all(f"Warning {n}" in folded for n in range(8)) and "Show all 16 findings (8 more)" in folded
