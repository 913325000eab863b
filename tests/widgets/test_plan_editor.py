import pytest

from itp_toolkit.errors import InvalidInput
from itp_toolkit.library.interventions import is_unadapted
from itp_toolkit.widgets import PlanEditor
from itp_toolkit.widgets.plan_editor import FOCUS_CLASS, INVALID_CLASS


@pytest.fixture
def editor(blank_plan, college_case, ids):
    return PlanEditor(blank_plan, college_case, id_factory=ids)


@pytest.fixture
def built(editor):
    """problem > goal > objective > intervention, made by clicking the buttons."""
    editor.buttons["add_problem"].click()
    pid = editor.plan.problems[0].id
    editor.cards[pid].buttons["add_child"].click()
    gid = editor.plan.problems[0].goals[0].id
    editor.cards[gid].buttons["add_child"].click()
    oid = editor.plan.problems[0].goals[0].objectives[0].id
    editor.cards[oid].buttons["add_child"].click()
    iid = editor.plan.problems[0].goals[0].objectives[0].interventions[0].id
    return editor, pid, gid, oid, iid


def test_buttons_build_the_tree_with_stable_ids(built):
    editor, pid, gid, oid, iid = built
    assert (
        [e.id for e in editor.plan.elements()]
        == [pid, gid, oid, iid]
        == ["prb-t1", "gol-t2", "obj-t3", "int-t4"]
    )
    assert editor.cards[oid].title.startswith("Objective 1.1.1")


def test_typing_in_a_text_box_changes_the_plan_without_rebuilding_the_form(built):
    editor, pid, *_ = built
    box = editor.cards[pid].fields["statement"]
    card_before = editor.cards[pid]
    rebuilt = []
    editor.problems_box.observe(lambda ch: rebuilt.append(ch), "children")
    box.value = "Panic attacks keep her out of lectures"
    assert editor.plan.element(pid).statement == "Panic attacks keep her out of lectures"
    assert editor.cards[pid] is card_before and editor.cards[pid].fields["statement"] is box
    assert rebuilt == []
    assert editor.cards[pid].title == "Problem 1: Panic attacks keep her out of lectures"


def test_every_edit_is_announced_through_the_plan_trait(built):
    editor, pid, *_ = built
    seen = []
    editor.observe(lambda ch: seen.append(ch["new"]), "plan")
    editor.cards[pid].fields["evidenced_by"].value = "Three attacks in a month"
    editor.add_discharge_criterion("GAD-7 below 10 twice")
    assert len(seen) == 2 and seen[-1] is editor.plan


def test_smart_fields_parse_numbers_and_blank_means_not_set(built):
    editor, _, _, oid, _ = built
    fields = editor.cards[oid].fields
    fields["measure"].value = "GAD-7"
    fields["baseline"].value = "16"
    fields["target"].value = "9"
    fields["target_week"].value = "10"
    fields["remeasure_every_weeks"].value = "2"
    o = editor.plan.element(oid)
    assert (o.measure, o.baseline, o.target, o.target_week, o.remeasure_every_weeks) == (
        "GAD-7",
        16,
        9,
        10,
        2,
    )
    fields["baseline"].value = ""
    assert editor.plan.element(oid).baseline is None


def test_invalid_input_is_shown_on_the_field_and_the_plan_keeps_its_last_good_value(built):
    editor, _, _, oid, _ = built
    box = editor.cards[oid].fields["target_week"]
    box.value = "8"
    box.value = "eight"
    assert editor.plan.element(oid).target_week == 8
    assert INVALID_CLASS in box._dom_classes and "target_week" in editor.cards[oid].error.value
    box.value = "9"
    assert INVALID_CLASS not in box._dom_classes and editor.cards[oid].error.value == ""


def test_the_python_twin_refuses_invalid_values_loudly(built):
    editor, _, _, oid, _ = built
    with pytest.raises(InvalidInput):
        editor.set_field(oid, "remeasure_every_weeks", 0)


def test_set_field_from_python_shows_the_value_in_the_form(built):
    editor, _, _, _, iid = built
    editor.set_field(iid, "format", "group")
    editor.set_field(iid, "frequency", "weekly")
    assert editor.cards[iid].fields["format"].value == "group"
    assert editor.cards[iid].fields["frequency"].value == "weekly"


def test_remove_and_reorder_keep_the_other_ids(built):
    editor, pid, gid, oid, iid = built
    second = editor.add_objective(gid, "Falls asleep within 30 minutes")
    editor.cards[second].buttons["up"].click()
    assert [o.id for o in editor.plan.element(gid).objectives] == [second, oid]
    assert editor.cards[second].buttons["up"].disabled and not editor.cards[second].buttons["down"].disabled
    assert editor.cards[second].title.startswith("Objective 1.1.1")
    editor.move(second, +1)
    assert [o.id for o in editor.plan.element(gid).objectives] == [oid, second]
    editor.cards[oid].buttons["remove"].click()
    assert [e.id for e in editor.plan.elements()] == [pid, gid, second]
    assert oid not in editor.cards and iid not in editor.cards


def test_structural_edits_reuse_the_forms_of_elements_still_there(built):
    editor, pid, gid, *_ = built
    goal_card = editor.cards[gid]
    editor.add_problem("Cannot fall asleep")
    assert editor.cards[gid] is goal_card


def test_linking_a_case_fact_through_the_picker(built, college_case):
    editor, _, gid, _, iid = built
    card = editor.cards[iid]
    card.fact_picker.value = "s-roommate"
    card.buttons["link"].click()
    assert editor.plan.element(iid).linked_facts == ["s-roommate"]
    [chip] = card.chips
    assert "roommate" in chip.description and card.links.children[0] is chip  # before the picker
    assert chip.tooltip.startswith("Remove the link to")  # its accessible name says what it does
    chip.click()  # the chip removes its link
    assert editor.plan.element(iid).linked_facts == [] and card.chips == []
    assert card.links.children == (card.fact_picker, card.buttons["link"])
    editor.link_fact(gid, "q-exam")
    assert editor.plan.element(gid).patient_quote_id == "q-exam"
    assert editor.cards[gid].fields["patient_quote_id"].value == "q-exam"


def test_quote_as_goal_fills_the_goal_with_the_persons_words(built, college_case):
    editor, _, gid, *_ = built
    editor.cards[gid].fields["patient_quote_id"].value = "q-sleep"
    editor.cards[gid].buttons["quote_as_goal"].click()
    goal = editor.plan.element(gid)
    assert goal.in_patient_words and goal.statement.startswith("I'd like to sleep like a normal person")
    assert editor.cards[gid].fields["statement"].value == goal.statement


def test_library_picker_prefills_an_intervention_to_adapt(built):
    editor, _, _, oid, _ = built
    card = editor.cards[oid]
    card.library_picker.value = "lib-anx-cbt-panic"
    card.buttons["apply_library"].click()
    new = editor.plan.element(oid).interventions[-1]
    assert new.modality.startswith("CBT for panic") and "NICE CG113" in new.evidence_base
    assert is_unadapted(new.description)
    editor.cards[new.id].fields["description"].value = (
        new.description + ", starting from her lecture-hall attacks"
    )
    assert not is_unadapted(editor.plan.element(new.id).description)


def test_plan_level_sections_edit_through_their_widgets(editor):
    editor.buttons["add_strength_use"].click()
    stu = editor.plan.strengths_used[0].id
    editor.cards[stu].fields["strength_id"].value = "s-running"
    editor.cards[stu].fields["how"].value = "Runs are the core of activation"
    editor.buttons["add_barrier_plan"].click()
    bar = editor.plan.barriers[0].id
    editor.cards[bar].fields["barrier_id"].value = "b-work-shifts"
    editor.cards[bar].fields["mitigation"].value = "Tuesday late-morning slot"
    editor.buttons["add_deferral"].click()
    editor.buttons["add_discharge"].click()
    editor.plan_fields["safety_plan"].value = "Crisis line on her phone"
    editor.plan_fields["participation.patient_participated"].value = True
    editor.plan_fields["review.review_week"].value = "5"
    editor.plan_fields["review.early_review_triggers"].value = "PHQ-9 item 9 above 0\nTwo missed sessions"
    p = editor.plan
    assert (p.strengths_used[0].strength_id, p.strengths_used[0].how) == (
        "s-running",
        "Runs are the core of activation",
    )
    assert (p.barriers[0].barrier_id, p.barriers[0].mitigation) == (
        "b-work-shifts",
        "Tuesday late-morning slot",
    )
    assert p.deferred_concerns[0].concern_id == "pc-worry" and len(p.discharge_criteria) == 1
    assert p.safety_plan == "Crisis line on her phone" and p.participation.patient_participated
    assert p.review.review_week == 5 and p.review.early_review_triggers == [
        "PHQ-9 item 9 above 0",
        "Two missed sessions",
    ]
    editor.cards[bar].fields["barrier_id"].value = ""
    assert editor.plan.barriers[0].barrier_id is None


def test_set_plan_loads_a_revision_and_focus_highlights_one_element(editor, college_case):
    ref = college_case.reference_plan
    editor.set_plan(ref)
    assert editor.cards["obj-lecture"].fields["baseline"].value == "2"
    assert editor.plan_fields["review.review_week"].value == "5"
    assert editor.focus("obj-lecture")
    assert FOCUS_CLASS in editor.cards["obj-lecture"]._dom_classes and editor.focused_id == "obj-lecture"
    assert editor.focus("int-caffeine-taper")
    assert FOCUS_CLASS not in editor.cards["obj-lecture"]._dom_classes
    assert not editor.focus("obj-gone") and editor.focused_id is None


def test_fact_pickers_offer_only_events_already_revealed(blank_plan, college_case):
    early = PlanEditor(blank_plan, college_case, week=0)
    pid = early.add_problem("x")
    assert "ev-midterm" not in [v for _, v in early.cards[pid].fact_picker.options]
    early.week = 6
    assert "ev-midterm" in [v for _, v in early.cards[pid].fact_picker.options]
    early.revised_boxes["ev-midterm"].value = True
    assert early.plan.revised_for_events == ["ev-midterm"]


def test_every_control_has_an_itp_css_class(built):
    editor = built[0]
    import ipywidgets as w

    from itp_toolkit.widgets._common import walk

    for part in walk(editor):
        if isinstance(part, (w.Button, w.Text, w.Textarea, w.Dropdown, w.Checkbox, w.Combobox)):
            assert any(c.startswith("itp-") for c in part._dom_classes), part
    classes = {c for part in walk(editor) for c in part._dom_classes}
    assert {
        "itp-add-problem",
        "itp-problem-statement",
        "itp-add-goal",
        "itp-objective-measure",
        "itp-apply-library",
        "itp-link-fact",
        "itp-move-up",
        "itp-remove",
    } <= classes


def test_a_read_only_editor_refuses_and_undoes_edits_that_still_arrive(built):
    from itp_toolkit.errors import PermissionDenied

    editor, pid, gid, oid, iid = built
    editor.cards[pid].fields["statement"].value = "Panic in lectures"
    editor.disabled = True
    box = editor.cards[pid].fields["statement"]
    assert (
        box.disabled
        and editor.buttons["add_problem"].disabled
        and editor.cards[oid].buttons["remove"].disabled
    )
    before = editor.plan
    box.value = "changed by a crafted browser message"  # disabled widgets still accept synced values
    assert editor.plan is before and box.value == "Panic in lectures"
    editor.plan_fields["safety_plan"].value = "sneaky"
    assert editor.plan.safety_plan == "" and editor.plan_fields["safety_plan"].value == ""
    editor.cards[oid].buttons["remove"].click()
    assert editor.plan is before and "read-only" in editor.cards[oid].error.value
    with pytest.raises(PermissionDenied):
        editor.add_problem()
    editor.set_plan(before.model_copy(update={"title": "revision 2"}))  # loading a revision is still allowed
    assert editor.cards[pid].fields["statement"].disabled
    editor.disabled = False
    assert editor.cards[pid].buttons["up"].disabled and not editor.cards[pid].buttons["remove"].disabled
    editor.cards[pid].fields["statement"].value = "Panic in lectures and exams"
    assert editor.plan.element(pid).statement == "Panic in lectures and exams"


def test_the_header_carries_the_anchor_findings_and_comments_link_to(built):
    editor, pid, *_ = built
    header = editor.cards[pid].header.value
    assert header.startswith('<span class="itp-element-title">Problem 1: ')
    assert 'id="itp-el-' in header and "itp-marker" not in header


def test_a_card_has_no_error_line_until_an_edit_is_refused(built):
    editor, _, _, oid, _ = built
    card = editor.cards[oid]
    assert card._error is None and card.error.value == ""  # made on first use
    assert card.error in card.children
