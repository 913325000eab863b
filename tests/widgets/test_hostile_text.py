"""Trainee (and case) text is untrusted: it must never reach an HTML widget unescaped.

ipywidgets.HTML assigns its value to innerHTML; `<script>` would not run that way but `<img onerror>` would.
"""

import re

import ipywidgets as w
import pytest

from itp_toolkit.model import Strength
from itp_toolkit.widgets import CaseViewer, CritiquePanel, PlanEditor, connect_critique
from itp_toolkit.widgets._common import walk

HOSTILE = [
    "<script>alert('x')</script> Client will reduce symptoms of anxiety",
    "<img src=x onerror=alert(1)> Client will learn coping skills",
    '<a href="javascript:alert(1)">click</a> Provide cognitive behavioral therapy',
]
RAW = re.compile(r"<\s*(img|script|a|iframe|svg)\b|javascript:\s*alert\(1\)\s*\"?>", re.IGNORECASE)
# The toolkit's own links and images, exactly as views.html writes them: a link to an anchor on the page,
# the case's plot as a data: PNG with an escaped text alternative. Anything else that looks like markup
# came from a payload.
OURS = re.compile(
    r'<a href="#itp-[a-z0-9-]+"( class="itp-[a-z-]+")?( title="[^"<>]*")?>'
    r'|<img class="itp-measure-plot" src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="[^"<>]*">'
)


def html_values(*roots):
    for root in roots:
        for part in walk(root):
            if isinstance(part, (w.HTML, w.HTMLMath)):
                yield part, part.value
            if getattr(part, "description_allow_html", False):
                yield part, part.description


def assert_no_raw_markup(*roots):
    checked = 0
    for part, value in html_values(*roots):
        checked += 1
        assert not RAW.search(OURS.sub("", value)), (part._dom_classes, value[:200])
    assert checked, "no HTML widget was checked"


@pytest.fixture
def typed_editor(blank_plan, college_case, ids):
    editor = PlanEditor(blank_plan, college_case, id_factory=ids)
    pid = editor.add_problem()
    gid = editor.add_goal(pid)
    oid = editor.add_objective(gid)
    editor.add_intervention(oid)
    editor.add_strength_use("s-running")
    editor.add_barrier_plan("b-work-shifts")
    editor.add_discharge_criterion()
    n = 0
    for card in list(editor.cards.values()):
        for name, field in card.fields.items():
            if isinstance(field, (w.Text, w.Textarea, w.Combobox)) and name not in (
                "baseline",
                "target",
                "target_week",
                "remeasure_every_weeks",
            ):
                field.value = HOSTILE[n % len(HOSTILE)]
                n += 1
    for name in ("title", "safety_plan", "notes", "participation.note", "review.early_review_triggers"):
        editor.plan_fields[name].value = HOSTILE[n % len(HOSTILE)]
        n += 1
    return editor


def test_hostile_text_is_stored_as_typed_but_never_rendered_as_markup(typed_editor, college_case):
    editor = typed_editor
    stored = editor.plan.model_dump_json()
    for text in HOSTILE:  # kept verbatim: escaping is the renderer's job, not the store's
        assert text.replace('"', '\\"') in stored
    panel = CritiquePanel(editor.plan, college_case)
    connect_critique(editor, panel)
    assert any("<" in f.message for f in panel.findings)  # critique quotes the trainee's text back
    assert_no_raw_markup(editor, panel)
    escaped = [v for _, v in html_values(panel) if "&lt;img" in v or "&lt;script" in v]
    assert escaped, "the hostile text should be visible, escaped"


def test_labels_buttons_and_options_that_carry_trainee_text_are_text_only(typed_editor, college_case):
    panel = CritiquePanel(typed_editor.plan, college_case)
    for part in walk(typed_editor):
        assert not getattr(part, "description_allow_html", False), part
    for part in walk(panel):
        assert not getattr(part, "description_allow_html", False), part


def test_hostile_case_text_is_escaped_in_the_case_viewer(college_case):
    case = college_case.model_copy(
        update={
            "history": HOSTILE[1],
            "title": HOSTILE[0],
            "strengths": [Strength(id="s-x", text=HOSTILE[2], kind="personal")],
        }
    )
    viewer = CaseViewer(case, week=10)
    assert_no_raw_markup(viewer)
    assert any("&lt;img src=x onerror" in v for _, v in html_values(viewer))
