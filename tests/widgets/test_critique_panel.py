import threading
import time

from itp_toolkit.checks import Finding, critique, individualization_score
from itp_toolkit.widgets import CritiquePanel, PlanEditor, connect_critique
from itp_toolkit.widgets.plan_editor import FOCUS_CLASS


def test_panel_groups_real_findings_by_family_with_counts(blank_plan, college_case, ids):
    editor = PlanEditor(blank_plan, college_case, id_factory=ids)
    pid = editor.add_problem("Client will reduce symptoms of anxiety")
    gid = editor.add_goal(pid, "Client will improve coping skills")
    editor.add_objective(gid, "Client will learn coping skills")
    panel = CritiquePanel(editor.plan, college_case)
    expected = critique(editor.plan, college_case)
    assert panel.findings == expected and expected
    families = [g._dom_classes for g in panel.groups_box.children]
    assert len(families) == len({f.family for f in expected})
    shown = [b.finding for b in panel.finding_buttons]
    assert sorted(shown, key=expected.index) == expected  # every finding has its button
    assert panel.score.score == individualization_score(editor.plan, college_case).score
    assert panel.score_label.value == f"Individualization: {panel.score.score}/100"


def test_clicking_a_finding_focuses_its_element_in_the_editor(college_case):
    editor = PlanEditor(college_case.reference_plan, college_case)
    plan = editor.plan
    # make one objective unmeasurable so there is a finding on it
    editor.cards["obj-lecture"].fields["description"].value = "Client will learn coping skills"
    panel = CritiquePanel(editor.plan, college_case, week=1)
    connect_critique(editor, panel)
    button = next(b for b in panel.finding_buttons if b.finding.element_id == "obj-lecture")
    button.click()
    assert editor.focused_id == "obj-lecture" and FOCUS_CLASS in editor.cards["obj-lecture"]._dom_classes
    assert plan.element("obj-lecture").id == "obj-lecture"


def test_plan_level_findings_have_no_element_to_focus(blank_plan, college_case):
    panel = CritiquePanel(blank_plan, college_case)
    whole_plan = [b for b in panel.finding_buttons if b.finding.element_id is None]
    assert whole_plan and all(b.disabled for b in whole_plan)


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
    # A generous delay: twenty edits must land inside it even on a loaded, shared machine.
    panel = CritiquePanel(blank_plan, college_case, critique_fn=counting, delay=2.0)
    assert len(counting.plans) == 1  # the first render
    for n in range(20):
        panel.plan = blank_plan.model_copy(update={"title": f"draft {n}"})
    assert len(counting.plans) == 1  # nothing yet: still typing
    deadline = time.monotonic() + 30  # waits only as long as it takes; the bound is for a hung timer
    while len(counting.plans) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)
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


def test_a_rerun_keeps_the_rows_of_findings_that_did_not_change(blank_plan, college_case):
    panel = CritiquePanel(blank_plan, college_case)
    before = {b.finding: b for b in panel.finding_buttons}
    panel.plan = blank_plan.model_copy(update={"safety_plan": "Crisis line saved in her phone"})
    panel.refresh()
    after = {b.finding: b for b in panel.finding_buttons}
    kept = before.keys() & after.keys()
    assert kept and all(before[f] is after[f] for f in kept)
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


def test_replaced_rows_and_groups_are_closed_later_not_while_the_browser_may_still_build_them(
    blank_plan, college_case, ids, monkeypatch
):
    """A widget closed right after it was sent can fail the browser's update of a box that still lists it
    ("widget model not found"). A family's group box is kept and updated; replaced parts close a while later."""
    import itp_toolkit.widgets.critique_panel as module

    editor = PlanEditor(blank_plan, college_case, id_factory=ids)
    panel = CritiquePanel(editor.plan, college_case)
    first_rows = [row for row in panel.groups_box.children for row in row.children[1:]]
    first_groups = {g.comm.comm_id: g for g in panel.groups_box.children}
    pid = editor.add_problem("Client will reduce symptoms of anxiety")
    editor.add_goal(pid, "Client will improve coping skills")
    panel.plan = editor.plan
    panel.refresh()
    kept_groups = {g.comm.comm_id for g in panel.groups_box.children} & first_groups.keys()
    assert kept_groups  # a family still present keeps its group box
    replaced = [
        r for r in first_rows if r not in {row for g in panel.groups_box.children for row in g.children}
    ]
    assert replaced and all(r.comm is not None for r in replaced)  # not closed yet
    monkeypatch.setattr(module, "RETIRE_AFTER_SECONDS", 0.0)
    panel.plan = blank_plan
    panel.refresh()
    assert all(r.comm is None for r in replaced)  # closed on a later run
    panel.close()
    assert panel._retired == []
