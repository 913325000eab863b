"""The plan editor: problems -> goals -> objectives -> interventions, and the plan-level sections around them.

The editor holds the current draft in its ``plan`` trait and replaces it on every edit; every edit goes
through ``itp_toolkit.editing``, so element ids never change and the rules live outside the UI. Observe
``plan`` to react to edits (autosave, critique). Three kinds of change, three costs:

* typing in a field updates ``plan`` and that element's header only: rebuilding would take the browser's
  focus away mid-word;
* a link, an unlink or a field set from Python re-syncs one element's form;
* adding, removing or moving re-arranges the tree, reusing the forms of elements that still exist;
* ``set_plan`` (loading another revision) builds everything afresh.

Every button has a Python twin (``add_problem``, ``set_field``, ``link_fact``, ``remove``, ``move``, ...), and
each form's widgets are reachable as ``editor.cards[element_id].fields[name]`` so tests can type into them.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as w
import traitlets as t

from ..errors import InputProblem, InvalidInput, NotFound, PermissionDenied
from ..library.interventions import apply_library_intervention, load_intervention_library
from ..model import Annotation, CaseStudy, PlanElement, TreatmentPlan, editing, new_id
from ..model.base import isolate
from ..model.measures import INSTRUMENTS
from ..model.plan import Delivery, Format, ObjectiveKind, TimeOfDay
from ..views import fact_choices, fact_label, plan_outline
from ..views.case import library_options, picker_options
from ..views.critique import element_anchor
from ..views.feedback import thread_html
from ..views.html import css_token, element
from ._common import Factory, batched_open, choice_label, close_tree, text_html, walk

FOCUS_CLASS = "itp-focused"
INVALID_CLASS = "itp-invalid"
_INDENT = {"problem": "0px", "goal": "24px", "objective": "48px", "intervention": "72px"}
_CHILD_KIND = {"problem": "goal", "goal": "objective", "objective": "intervention"}
_TREE_KINDS = ("problem", "goal", "objective", "intervention")
_NUMBER_FIELDS = ("baseline", "target", "target_week", "remeasure_every_weeks")


def _kind_label(kind: str) -> str:
    return {"measured": "Measured: a count or a score", "completion": "One-off step, done by a date"}[kind]


_KIND_OPTIONS = [(_kind_label(k), k) for k in typing.get_args(ObjectiveKind)]


def _options(literal: Any, *, blank: str | None = None) -> list[tuple[str, Any]]:
    opts = [(choice_label(v), v) for v in typing.get_args(literal)]
    return ([(blank, "")] if blank is not None else []) + opts  # "" means not set (editing.form_value)


def _display(value: Any) -> Any:
    """A model value as a form shows it: None as blank, numbers as text (12.0 as '12')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return value


class ElementCard(w.VBox):
    """One element's form: header, fields, links to case facts, buttons and (in the tree) its children.

    The header is an HTML widget: the element's numbered title (escaped), a marker when released comments
    are on it, and the anchor (``views.critique.element_anchor``) that critique findings and comments link
    to. ``title`` is the same title as plain text. The error line is made the first time it is needed: most
    cards never show one, and every widget is messages on opening.
    """

    # The Box trait's value, declared for the type checker (ipywidgets has no type information).
    children: Sequence[Any]

    def __init__(self, element_id: str, kind: str, make: Callable[..., w.DOMWidget] | None = None, **kwargs):
        make = make or Factory()
        self._make = make
        self.element_id = element_id
        self.kind = kind
        self.title = ""
        self.comment_count = 0
        self.header = make(w.HTML, classes=("itp-element-header",))
        self.fields: dict[str, w.ValueWidget] = {}
        self.buttons: dict[str, w.Button] = {}
        self._error: w.Label | None = None
        self.links = make(w.HBox, classes=("itp-links", "itp-toolbar"))
        """The link chips (``chips``: one button each, which removes its link), then the fact picker."""
        self.chips: list[w.Button] = []
        self.fact_picker: w.Dropdown | None = None
        self.library_picker: w.Dropdown | None = None
        self.children_box = make(w.VBox, classes=("itp-children",))
        self.thread: w.Widget | None = None
        self.reply_box: w.HBox | None = None
        """A reply box under the thread (when the page can send replies)."""
        kwargs["_dom_classes"] = (
            *kwargs.get("_dom_classes", ()),
            "itp-element",
            f"itp-{kind.replace('_', '-')}",
        )
        super().__init__(**kwargs)

    @property
    def error(self) -> w.Label:
        """Why the last edit of this element was refused (made, and placed after the fields, on first use)."""
        if self._error is None:
            self._error = self._make(w.Label, classes=("itp-field-error",))
            parts = list(self.children)
            at = parts.index(self.children_box) if self.children_box in parts else len(parts)
            self.children = [*parts[:at], self._error, *parts[at:]]
        return self._error

    def clear_error(self) -> None:
        if self._error is not None and self._error.value:
            self._error.value = ""

    def set_title(self, title: str) -> None:
        """The header: the title, the comment marker, and the anchor links jump to."""
        self.title = title
        marker = ""
        if self.comment_count:
            n = self.comment_count
            marker = str(
                element(
                    "span",
                    str(n),
                    cls="itp-marker",
                    title=f"{n} comment{'s' if n != 1 else ''} from your supervisor below",
                    aria_label=f"{n} comment{'s' if n != 1 else ''}",
                )
            )
        anchor = f'<span class="itp-anchor" id="{element_anchor(self.element_id)}"></span>'
        value = text_html(title, "span", "itp-element-title") + (" " + marker if marker else "") + anchor
        if self.header.value != value:
            self.header.value = value


class PlanEditor(w.VBox):
    """Edit one treatment plan for one case, entirely through ``itp_toolkit.editing``."""

    # The Box trait's value, declared for the type checker (ipywidgets has no type information).
    children: Sequence[Any]

    plan = t.Instance(TreatmentPlan, help="The current draft. Replaced, never mutated, on every edit.")
    focused_id = t.Unicode(
        None, allow_none=True, help="The element last focused (highlighted) in the editor."
    )
    error = t.Unicode("", help="Why the last edit was refused ('' when it was accepted).")
    week = t.Int(0, help="Exercise week: only timeline events revealed by then are offered as links.")
    disabled = t.Bool(
        False,
        help="Read-only (e.g. a submitted draft): every control is disabled, and edits that "
        "still arrive (a browser can send them anyway) are refused and undone.",
    )

    def __init__(
        self,
        plan: TreatmentPlan,
        case: CaseStudy,
        *,
        week: int | None = None,
        id_factory: Callable[[str], str] = new_id,
        **kwargs,
    ):
        self._case = case.for_trainee()
        self._new_id = id_factory
        self._factory = Factory()
        self._mode = "load"
        self._mode_element: str | None = None
        self._syncing = False
        self.cards: dict[str, ElementCard] = {}
        self._comments: dict[str, list[Annotation]] = {}
        self._names: dict[str, str] = {}
        self.on_reply: Callable[[int, str], None] | None = None
        """Sends a reply (comment id, text); set by the page that may send them (the trainee's)."""
        self.plan_fields: dict[str, w.ValueWidget] = {}
        self.buttons: dict[str, w.Button] = {}
        kwargs["_dom_classes"] = (*kwargs.get("_dom_classes", ()), "itp-plan-editor")
        with batched_open():  # the editor and its forms open once each, with their values
            self.error_label = self._make(w.Label, classes=("itp-plan-error",))
            super().__init__(**kwargs)
            self.week = plan.written_at_week if week is None else week
            self.plan = plan

    # --- public API --------------------------------------------------------------------------------------

    @property
    def case(self) -> CaseStudy:
        return self._case

    def set_plan(self, plan: TreatmentPlan) -> None:
        """Load another draft or revision: the whole form is built afresh from it."""
        if plan == self.plan:  # traitlets sees no change; rebuild anyway to drop half-typed invalid input
            self._rebuild()
            return
        self._commit(plan, "load")

    def add_problem(self, statement: str = "") -> str:
        """Add a problem at the end; returns its id."""
        eid = self._new_id("problem")
        self._commit(editing.add_problem(self.plan, statement, element_id=eid), "structure")
        return eid

    def add_goal(self, problem_id: str, statement: str = "") -> str:
        eid = self._new_id("goal")
        self._commit(editing.add_goal(self.plan, problem_id, statement, element_id=eid), "structure")
        return eid

    def add_objective(self, goal_id: str, description: str = "") -> str:
        eid = self._new_id("objective")
        self._commit(editing.add_objective(self.plan, goal_id, description, element_id=eid), "structure")
        return eid

    def add_intervention(self, objective_id: str, description: str = "") -> str:
        eid = self._new_id("intervention")
        self._commit(
            editing.add_intervention(self.plan, objective_id, description, element_id=eid), "structure"
        )
        return eid

    def add_child(self, parent_id: str) -> str:
        """Add the next level under an element (a goal under a problem, and so on)."""
        kind = self.cards[parent_id].kind
        return {"problem": self.add_goal, "goal": self.add_objective, "objective": self.add_intervention}[
            kind
        ](parent_id)

    def apply_library(self, objective_id: str, item_id: str) -> str:
        """Add an intervention pre-filled from the library (to be adapted); returns its id."""
        eid = self._new_id("intervention")
        item = load_intervention_library().item(item_id)
        self._commit(apply_library_intervention(self.plan, objective_id, item, element_id=eid), "structure")
        return eid

    def add_strength_use(self, strength_id: str | None = None, how: str = "") -> str:
        eid = self._new_id("strength_use")
        self._commit(editing.add_strength_use(self.plan, strength_id, how, element_id=eid), "structure")
        return eid

    def add_barrier_plan(self, barrier_id: str | None = None, mitigation: str = "") -> str:
        eid = self._new_id("barrier_plan")
        self._commit(editing.add_barrier_plan(self.plan, barrier_id, mitigation, element_id=eid), "structure")
        return eid

    def add_deferral(self, concern_id: str | None = None, reason: str = "") -> str:
        """Defer a concern; without one, the first concern the plan neither addresses nor defers yet."""
        if concern_id is None:
            used = self.plan.linked_fact_ids()
            concerns = [c.id for c in self._case.presenting_concerns]
            concern_id = next((c for c in concerns if c not in used), concerns[0])
        eid = self._new_id("deferral")
        self._commit(editing.add_deferral(self.plan, concern_id, reason, element_id=eid), "structure")
        return eid

    def add_discharge_criterion(self, text: str = "") -> str:
        eid = self._new_id("discharge")
        self._commit(editing.add_discharge_criterion(self.plan, text, element_id=eid), "structure")
        return eid

    def remove(self, element_id: str) -> None:
        """Remove an element and everything under it."""
        self._commit(editing.remove_element(self.plan, element_id), "structure")

    def move(self, element_id: str, delta: int) -> None:
        """Move an element up (-1) or down (+1) among its siblings."""
        index, _ = editing.sibling_position(self.plan, element_id)
        self._commit(editing.move_element(self.plan, element_id, index + delta), "structure")

    def set_field(self, element_id: str, name: str, value: Any) -> None:
        """Set one field of one element (what typing does), and show the new value in its form."""
        self._commit(
            editing.update_element(self.plan, element_id, **{name: editing.form_value(name, value)}),
            "element",
            element_id,
        )

    def set_plan_field(self, name: str, value: Any) -> None:
        """Set a plan-level field: 'title', 'safety_plan', 'notes', 'participation.copy_given',
        'review.review_week'."""
        self._commit(self._plan_field_edit(name, value), "plan")

    def link_fact(self, element_id: str, fact_id: str) -> None:
        """Link a case fact to an element (a quote on a goal with none becomes the goal's quote)."""
        self._commit(editing.link_fact(self.plan, element_id, fact_id, self._case), "element", element_id)

    def unlink_fact(self, element_id: str, fact_id: str) -> None:
        self._commit(editing.unlink_fact(self.plan, element_id, fact_id), "element", element_id)

    def quote_as_goal(self, goal_id: str, quote_id: str) -> None:
        """State a goal in the person's words, from one of the case's quotes."""
        quote = next((q for q in self._case.patient_words if q.id == quote_id), None)
        if quote is None:
            raise NotFound(f"the case has no quote {quote_id!r}")
        self._commit(editing.quote_as_goal(self.plan, goal_id, quote), "element", goal_id)

    def show_comments(self, annotations: Iterable[Annotation], names: Mapping[str, str]) -> None:
        """Put released comments beside the elements they are about: a marker on each element's header
        (how many comments) and the thread under it, names by display name. Replaces what was shown."""
        self._comments = {}
        for a in annotations:
            if a.element_id is not None:
                self._comments.setdefault(a.element_id, []).append(a)
        self._names = dict(names)
        self._place_comments()

    def reply(self, element_id: str, body: str) -> None:
        """Answer the latest comment on an element (the Python twin of its Reply box)."""
        if self.on_reply is None:
            raise PermissionDenied("replies cannot be sent from here")
        tops = [a for a in self._comments.get(element_id, []) if a.parent_id is None and a.id is not None]
        if not tops:
            raise NotFound("there is no comment on this part of the plan to answer")
        if not body.strip():
            raise InvalidInput([InputProblem("write your reply first", field="body")])
        self.on_reply(tops[-1].id or 0, body.strip())

    def _send_reply(self, card: ElementCard) -> None:
        if card.reply_box is None:
            return
        text = card.reply_box.children[0]
        self.reply(card.element_id, text.value)
        text.value = ""

    def comments_on(self, element_id: str) -> list[Annotation]:
        """The comments (and replies) shown beside one element."""
        return list(self._comments.get(element_id, []))

    def _place_comments(self) -> None:
        for eid, card in self.cards.items():
            comments = self._comments.get(eid, [])
            top = sum(1 for a in comments if a.parent_id is None)
            if card.comment_count != top:
                card.comment_count = top
                card.set_title(card.title)
            if comments:
                value = thread_html(comments, self._names)
                if card.thread is None:
                    card.thread = self._make(
                        w.HTML,
                        value,
                        classes=("itp-element-thread", f"itp-feedback-for-{css_token(eid)}"),
                    )
                    parts = list(card.children)
                    card.children = [*parts[:1], card.thread, *parts[1:]]
                elif card.thread.value != value:
                    card.thread.value = value
                if self.on_reply is not None and card.reply_box is None:
                    text = self._make(
                        w.Textarea,
                        placeholder="Answer your supervisor here",
                        description="Your reply",
                        layout=self._layout(width="100%", flex="1 1 auto"),
                        classes=("itp-reply-text",),
                    )
                    send = self._button(
                        "Send reply",
                        "itp-reply-send",
                        functools.partial(self._send_reply, card),
                        card,
                        "Send your reply",
                    )
                    card.reply_box = self._make(
                        w.HBox, [text, send], classes=("itp-reply-box", "itp-toolbar")
                    )
                    parts = list(card.children)
                    at = parts.index(card.thread) + 1
                    card.children = [*parts[:at], card.reply_box, *parts[at:]]
                    if self.disabled:
                        text.disabled = send.disabled = True
            elif card.thread is not None:
                card.children = [c for c in card.children if c not in (card.thread, card.reply_box)]
                close_tree(card.thread)
                card.thread = None
                if card.reply_box is not None:
                    close_tree(card.reply_box)
                    card.reply_box = None

    def focus(self, element_id: str | None) -> bool:
        """Highlight an element's form (CSS class ``itp-focused``); False if the plan no longer has it."""
        previous = self.cards.get(self.focused_id or "")
        if previous is not None:
            previous.remove_class(FOCUS_CLASS)
        card = self.cards.get(element_id or "")
        if card is None:
            self.focused_id = None
            return False
        card.add_class(FOCUS_CLASS)
        self.focused_id = element_id
        return True

    # --- committing edits --------------------------------------------------------------------------------

    def _commit(self, plan: TreatmentPlan, mode: str, element_id: str | None = None) -> None:
        if self.disabled and mode != "load":
            raise PermissionDenied("this plan is read-only here (submitted or locked); nothing was changed")
        self._mode, self._mode_element = mode, element_id
        try:
            self.plan = plan
        finally:
            self._mode, self._mode_element = "load", None
        self.error = ""

    def _try(
        self, action: Callable[[], None], card: ElementCard | None = None, widget: w.Widget | None = None
    ) -> None:
        """Run an edit from the UI; a refused edit is shown by the field and leaves the plan as it was."""
        try:
            action()
        except (InvalidInput, NotFound, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):  # undo what the browser shows, too
                if card is not None:
                    self._sync_card(card.element_id)
                self._sync_plan_fields()
            self.error = str(exc)
            target = card.error if card is not None else self.error_label
            target.value = str(exc).replace("<input>: ", "")
            if widget is not None:
                widget.add_class(INVALID_CLASS)
            return
        if card is not None:
            card.clear_error()
        else:
            self.error_label.value = ""
        if widget is not None:
            widget.remove_class(INVALID_CLASS)

    @t.observe("disabled")
    def _disabled_changed(self, change) -> None:
        self._apply_disabled()
        if not self.disabled and self.cards:
            self._refresh_headers()  # the first and last of each level cannot move further

    def _apply_disabled(self) -> None:
        for part in walk(self):
            if isinstance(part, (w.Button, w.Text, w.Textarea, w.Combobox, w.Dropdown, w.Checkbox)):
                part.disabled = self.disabled

    @t.observe("plan")
    def _plan_changed(self, change) -> None:
        # New forms open once each with their values, not opened empty and then filled field by field.
        with batched_open():
            self._show_plan_change()

    def _show_plan_change(self) -> None:
        mode = self._mode
        if mode == "load":
            self._rebuild()
        elif mode == "structure":
            self._arrange()
        elif mode == "element" and self._mode_element is not None:
            self._sync_card(self._mode_element)
            self._refresh_headers()
        elif mode == "text" and self._mode_element is not None:
            self._refresh_headers()
        elif mode == "plan":
            self._sync_plan_fields()

    @t.observe("week")
    def _week_changed(self, change) -> None:
        if change["old"] != change["new"] and self.cards:
            with batched_open():
                self._rebuild()

    def _plan_field_edit(self, name: str, value: Any) -> TreatmentPlan:
        section, _, field = name.partition(".")
        if field:
            value = editing.form_value(field, value)
            if section == "participation":
                return editing.set_participation(self.plan, **{field: value})
            if section == "review":
                return editing.set_review(self.plan, **{field: value})
            raise InvalidInput([InputProblem("not a plan-level setting", field=name)])
        return editing.update_plan(self.plan, **{name: editing.form_value(name, value)})

    # --- widget events -----------------------------------------------------------------------------------

    def _bind(self, card: ElementCard, name: str, widget: w.ValueWidget) -> w.ValueWidget:
        card.fields[name] = widget

        def changed(change: dict) -> None:
            if self._syncing:
                return
            self._try(
                lambda: self._commit(
                    editing.update_element(
                        self.plan, card.element_id, **{name: editing.form_value(name, change["new"])}
                    ),
                    "text",
                    card.element_id,
                ),
                card,
                widget,
            )

        widget.observe(changed, "value")
        return widget

    def _bind_plan(self, name: str, widget: w.ValueWidget) -> w.ValueWidget:
        self.plan_fields[name] = widget

        def changed(change: dict) -> None:
            if self._syncing:
                return
            self._try(
                lambda: self._commit(self._plan_field_edit(name, change["new"]), "text", "plan"), None, widget
            )

        widget.observe(changed, "value")
        return widget

    def _button(
        self,
        description: str,
        cls: str,
        action: Callable[[], Any],
        card: ElementCard | None = None,
        tooltip: str = "",
    ) -> w.Button:
        button = self._make(
            w.Button,
            description=description,
            tooltip=tooltip or description,
            layout=self._layout(width="auto"),
            classes=(cls,),
        )
        button.on_click(lambda _b: self._try(action, card))
        return button

    # --- building forms ----------------------------------------------------------------------------------

    def _text(
        self, cls: str, placeholder: str = "", *, area: bool = False, width: str = "100%"
    ) -> w.ValueWidget:
        return self._make(
            w.Textarea if area else w.Text,
            placeholder=placeholder,
            continuous_update=True,
            layout=self._layout(width=width),
            classes=(cls,),
        )

    def _make(self, cls: type[w.DOMWidget], *args: Any, **kwargs: Any) -> w.DOMWidget:
        """Build a widget with shared Layout and style objects (see ``_common.Factory``)."""
        return self._factory(cls, *args, **kwargs)

    def _layout(self, **settings: str) -> w.Layout:
        return self._factory.layout(**settings)

    def _labelled(self, label: str, widget: w.Widget) -> w.Widget:
        """A field with its label: the widget's own description where it has one (fewer widgets to build)."""
        if isinstance(widget, (w.Text, w.Textarea, w.Combobox, w.Dropdown)):
            widget.description = label  # its shared style gives descriptions a 150px column
            return widget
        return self._make(
            w.HBox,
            [self._make(w.Label, label, layout=self._layout(width="150px", flex="0 0 auto")), widget],
            layout=self._layout(width="100%"),
        )

    def _card(self, element: PlanElement) -> ElementCard:
        kind = editing.element_kind(element)
        card = ElementCard(
            element.id,
            kind,
            make=self._make,
            layout=self._layout(margin=f"4px 0 4px {_INDENT.get(kind, '0px')}"),
        )
        rows: list[w.Widget] = getattr(self, f"_{kind}_form")(card, element)
        tools = []
        if kind in _TREE_KINDS:
            card.buttons["up"] = self._button(
                "↑", "itp-move-up", lambda: self.move(card.element_id, -1), card, "Move up"
            )
            card.buttons["down"] = self._button(
                "↓", "itp-move-down", lambda: self.move(card.element_id, 1), card, "Move down"
            )
            tools += [card.buttons["up"], card.buttons["down"]]
            child = _CHILD_KIND.get(kind)
            if child:
                card.buttons["add_child"] = self._button(
                    f"Add {child}", f"itp-add-{child}", lambda: self.add_child(card.element_id), card
                )
                tools.append(card.buttons["add_child"])
        card.buttons["remove"] = self._button(
            "Remove",
            "itp-remove",
            lambda: self.remove(card.element_id),
            card,
            f"Remove this {choice_label(kind)} and everything under it",
        )
        tools.append(card.buttons["remove"])
        head = self._make(w.HBox, [card.header, *tools], classes=("itp-card-head", "itp-toolbar"))
        parts: list[w.Widget] = [head, *rows]
        if "linked_facts" in type(element).model_fields:
            parts += self._links_form(card)
        if kind in _CHILD_KIND:
            parts.append(card.children_box)
        card.children = parts
        self._fill(card, element)
        return card

    def _links_form(self, card: ElementCard) -> list[w.Widget]:
        """One row: the element's links (a removable chip each, see ``_fill``), the picker to add one."""
        choices = fact_choices(self._case, week=self.week)
        card.fact_picker = self._make(
            w.Dropdown,
            options=[("Link to a fact of the case…", "")] + [(c.option, c.id) for c in choices],
            value="",
            description="Case fact",
            layout=self._layout(width="100%", flex="1 1 auto"),
            classes=("itp-fact-picker",),
        )
        card.buttons["link"] = self._button(
            "Link", "itp-link-fact", lambda: self._link_picked(card), card, "Link the chosen case fact"
        )
        card.links.children = [card.fact_picker, card.buttons["link"]]
        return [card.links]

    def _link_picked(self, card: ElementCard) -> None:
        if card.fact_picker is not None and card.fact_picker.value:
            self.link_fact(card.element_id, card.fact_picker.value)
            card.fact_picker.value = ""

    def _problem_form(self, card: ElementCard, e) -> list[w.Widget]:
        return [
            self._labelled(
                "Problem",
                self._bind(
                    card,
                    "statement",
                    self._text(
                        "itp-problem-statement",
                        "In this person's terms, e.g. 'Panic attacks keep her out of lectures'",
                    ),
                ),
            ),
            self._labelled(
                "As evidenced by",
                self._bind(
                    card,
                    "evidenced_by",
                    self._text(
                        "itp-problem-evidence", "Observable behaviour: how often, how much, where", area=True
                    ),
                ),
            ),
        ]

    def _goal_form(self, card: ElementCard, e) -> list[w.Widget]:
        quote = self._make(
            w.Dropdown,
            options=[("(no quote)", "")] + picker_options(self._case, "quote"),
            layout=self._layout(width="auto", flex="1 1 22em"),
            classes=("itp-goal-quote",),
        )
        card.buttons["quote_as_goal"] = self._button(
            "Use the quote as the goal",
            "itp-quote-as-goal",
            lambda: self.quote_as_goal(card.element_id, card.fields["patient_quote_id"].value),
            card,
        )
        return [
            self._labelled(
                "Goal",
                self._bind(
                    card, "statement", self._text("itp-goal-statement", "Ideally in the person's own words")
                ),
            ),
            self._bind(
                card,
                "in_patient_words",
                self._make(
                    w.Checkbox,
                    description="These are the person's own words",
                    indent=False,
                    classes=("itp-goal-own-words",),
                ),
            ),
            self._make(
                w.HBox,
                [
                    self._labelled("Their words", self._bind(card, "patient_quote_id", quote)),
                    card.buttons["quote_as_goal"],
                ],
                classes=("itp-toolbar",),
            ),
        ]

    def _objective_form(self, card: ElementCard, e) -> list[w.Widget]:
        measure = self._make(
            w.Combobox,
            options=list(INSTRUMENTS),
            ensure_option=False,
            placeholder="An instrument (PHQ-9, GAD-7…) or what is counted",
            layout=self._layout(width="100%"),
            classes=("itp-objective-measure",),
        )
        numbers = {
            "baseline": "Baseline",
            "target": "Target",
            "target_week": "Target week",
            "remeasure_every_weeks": "Re-measure every (weeks)",
        }
        number_rows = [
            self._labelled(
                label,
                self._bind(
                    card, name, self._text(f"itp-objective-{name.replace('_', '-')}", "number", width="280px")
                ),
            )
            for name, label in numbers.items()
        ]
        library = self._make(
            w.Dropdown,
            options=[("Evidence-based options, suggested first…", "")] + library_options(self._case),
            value="",
            layout=self._layout(width="auto", flex="1 1 22em"),
            classes=("itp-library-choice",),
        )
        card.library_picker = library
        card.buttons["apply_library"] = self._button(
            "Pre-fill an intervention",
            "itp-apply-library",
            lambda: self._library_picked(card),
            card,
            "Adds an intervention with the library's generic text: adapt it to this person",
        )
        kind = self._make(w.Dropdown, options=_KIND_OPTIONS, classes=("itp-objective-kind",))
        card.fields["kind"] = kind
        kind.observe(
            lambda ch: (
                None
                if self._syncing
                else self._try(
                    lambda: self._commit(
                        editing.set_objective_kind(self.plan, card.element_id, ch["new"]),
                        "element",
                        card.element_id,
                    ),
                    card,
                    kind,
                )
            ),
            "value",
        )
        return [
            self._labelled("Kind", kind),
            self._labelled(
                "Objective",
                self._bind(
                    card,
                    "description",
                    self._text(
                        "itp-objective-description",
                        "An observable behaviour, e.g. 'stays through 4 of 5 lectures a week'; "
                        "or a one-off step",
                    ),
                ),
            ),
            self._labelled(
                "Who does it",
                self._bind(
                    card,
                    "who",
                    self._text("itp-objective-who", "For a one-off step: the person, a support, or the team"),
                ),
            ),
            self._labelled("Measure", self._bind(card, "measure", measure)),
            *number_rows,
            self._make(
                w.HBox,
                [self._labelled("From the library", library), card.buttons["apply_library"]],
                classes=("itp-toolbar",),
            ),
        ]

    def _library_picked(self, card: ElementCard) -> None:
        if card.library_picker is not None and card.library_picker.value:
            self.apply_library(card.element_id, card.library_picker.value)
            card.library_picker.value = ""

    def _intervention_form(self, card: ElementCard, e) -> list[w.Widget]:
        def text(name: str, label: str, placeholder: str, area: bool = False) -> w.Widget:
            cls = f"itp-intervention-{name.replace('_', '-')}"
            return self._labelled(label, self._bind(card, name, self._text(cls, placeholder, area=area)))

        def choice(name: str, label: str, options: list) -> w.Widget:
            cls = f"itp-intervention-{name.replace('_', '-')}"
            return self._labelled(
                label, self._bind(card, name, self._make(w.Dropdown, options=options, classes=(cls,)))
            )

        return [
            text(
                "description",
                "What is done",
                "Adapted to this person: their situations, supports, words",
                True,
            ),
            text("modality", "Modality", "e.g. behavioural activation, CPT, MI"),
            choice("format", "Format", _options(Format)),
            choice("delivery", "Delivery", _options(Delivery)),
            text("frequency", "Frequency", "e.g. weekly, every two weeks"),
            text("duration", "Duration", "e.g. 12 sessions, weeks 2-10"),
            choice("time_of_day", "Time of day", _options(TimeOfDay, blank="(not set)")),
            text("responsible_role", "Responsible", "e.g. trainee therapist, peer specialist"),
            text("evidence_base", "Evidence base", "Guideline or source"),
        ]

    def _strength_use_form(self, card: ElementCard, e) -> list[w.Widget]:
        options = [("(choose a strength)", "")] + picker_options(self._case, "strength")
        return [
            self._labelled(
                "Strength",
                self._bind(
                    card,
                    "strength_id",
                    self._make(
                        w.Dropdown,
                        options=options,
                        layout=self._layout(width="100%"),
                        classes=("itp-strength-choice",),
                    ),
                ),
            ),
            self._labelled(
                "How it is used", self._bind(card, "how", self._text("itp-strength-how", "Concretely"))
            ),
        ]

    def _barrier_plan_form(self, card: ElementCard, e) -> list[w.Widget]:
        options = [("(another barrier, in my words)", "")] + picker_options(self._case, "barrier")
        return [
            self._labelled(
                "Barrier",
                self._bind(
                    card,
                    "barrier_id",
                    self._make(
                        w.Dropdown,
                        options=options,
                        layout=self._layout(width="100%"),
                        classes=("itp-barrier-choice",),
                    ),
                ),
            ),
            self._labelled(
                "In my words", self._bind(card, "barrier", self._text("itp-barrier-text", "Optional"))
            ),
            self._labelled(
                "Mitigation",
                self._bind(
                    card, "mitigation", self._text("itp-barrier-mitigation", "What the plan does about it")
                ),
            ),
        ]

    def _deferral_form(self, card: ElementCard, e) -> list[w.Widget]:
        options = picker_options(self._case, "concern")
        return [
            self._labelled(
                "Concern",
                self._bind(
                    card,
                    "concern_id",
                    self._make(
                        w.Dropdown,
                        options=options,
                        layout=self._layout(width="100%"),
                        classes=("itp-deferral-concern",),
                    ),
                ),
            ),
            self._labelled(
                "Why not now", self._bind(card, "reason", self._text("itp-deferral-reason", "The reason"))
            ),
        ]

    def _discharge_form(self, card: ElementCard, e) -> list[w.Widget]:
        return [
            self._labelled(
                "Criterion",
                self._bind(
                    card,
                    "text",
                    self._text("itp-discharge-text", "An observable sign that treatment can end"),
                ),
            )
        ]

    def _fill(self, card: ElementCard, element: PlanElement) -> None:
        """Show an element's current values in its form (without treating that as an edit)."""
        self._syncing = True
        try:
            for name, widget in card.fields.items():
                value = _display(getattr(element, name))
                if widget.value != value:
                    widget.value = value
        finally:
            self._syncing = False
        for widget in card.fields.values():
            if INVALID_CLASS in widget._dom_classes:
                widget.remove_class(INVALID_CLASS)
        card.clear_error()
        ids = [*getattr(element, "concern_ids", []), *getattr(element, "linked_facts", [])]
        links = list(dict.fromkeys(ids))
        if links == getattr(card, "_linked", None):
            return
        card._linked = links
        chips = []
        for fact_id in links:
            label = fact_label(self._case, fact_id)
            chip = self._button(
                f"{label}  ✕",
                "itp-unlink",
                functools.partial(self.unlink_fact, card.element_id, fact_id),
                card,
                f"Remove the link to {label}",
            )
            chip.add_class("itp-chip")
            chip.fact_id = fact_id
            chips.append(chip)
        old = list(card.chips)
        card.chips = chips
        card.links.children = [*chips, *(x for x in card.links.children if x not in old)]
        for chip in old:
            close_tree(chip)

    # --- arranging the whole form --------------------------------------------------------------------------

    def _rebuild(self) -> None:
        for card in self.cards.values():
            close_tree(card)
        self.cards = {}
        self.plan_fields = {}
        for old in list(self.children):
            if old is not self.error_label:
                close_tree(old)
        self.problems_box = self._make(w.VBox, classes=("itp-problems",))
        self.strengths_box = self._make(w.VBox, classes=("itp-strengths-used",))
        self.barriers_box = self._make(w.VBox, classes=("itp-barrier-plans",))
        self.deferrals_box = self._make(w.VBox, classes=("itp-deferrals",))
        self.discharge_box = self._make(w.VBox, classes=("itp-discharge-criteria",))
        self.buttons = {
            "add_problem": self._button("Add problem", "itp-add-problem", self.add_problem),
            "add_strength_use": self._button("Use a strength", "itp-add-strength-use", self.add_strength_use),
            "add_barrier_plan": self._button(
                "Add a barrier and its mitigation", "itp-add-barrier", self.add_barrier_plan
            ),
            "add_deferral": self._button("Defer a concern", "itp-add-deferral", self.add_deferral),
            "add_discharge": self._button(
                "Add a discharge criterion", "itp-add-discharge", self.add_discharge_criterion
            ),
        }

        def heading(text: str) -> w.HTML:
            return self._make(w.HTML, text_html(text, "h4"), classes=("itp-editor-heading",))

        participation = [
            self._bind_plan(
                f"participation.{name}",
                self._make(
                    w.Checkbox,
                    description=label,
                    indent=False,
                    classes=(f"itp-participation-{name.replace('_', '-')}",),
                ),
            )
            for name, label in (
                ("patient_participated", "The person took part in writing the plan"),
                ("agreement_recorded", "Their agreement is recorded"),
                ("copy_given", "They were given a copy"),
            )
        ]
        events = self._case.events_until(self.week)
        revised = [
            self._make(
                w.Checkbox,
                description=f"Week {e.week}: {isolate(e.title)}",
                indent=False,
                value=e.id in self.plan.revised_for_events,
                classes=("itp-revised-for",),
            )
            for e in events
        ]
        for box, event in zip(revised, events, strict=True):
            box.observe(lambda ch, eid=event.id: self._toggle_event(eid, ch["new"]), "value")
        self.revised_boxes = dict(zip((e.id for e in events), revised, strict=True))
        self.children = [
            self._labelled("Plan title", self._bind_plan("title", self._text("itp-plan-title", "Optional"))),
            heading("Problems, goals, objectives and interventions"),
            self.problems_box,
            self.buttons["add_problem"],
            heading("Strengths put to work"),
            self.strengths_box,
            self.buttons["add_strength_use"],
            heading("Barriers and what the plan does about them"),
            self.barriers_box,
            self.buttons["add_barrier_plan"],
            heading("Concerns deferred, and why"),
            self.deferrals_box,
            self.buttons["add_deferral"],
            heading("Safety plan"),
            self._bind_plan(
                "safety_plan", self._text("itp-safety-plan", "How risk is monitored and managed", area=True)
            ),
            heading("Discharge criteria"),
            self.discharge_box,
            self.buttons["add_discharge"],
            heading("Participation"),
            *participation,
            self._labelled(
                "How they took part",
                self._bind_plan("participation.note", self._text("itp-participation-note", "In a sentence")),
            ),
            heading("Review"),
            self._labelled(
                "Review at week",
                self._bind_plan("review.review_week", self._text("itp-review-week", "week", width="280px")),
            ),
            self._labelled(
                "Review earlier if",
                self._bind_plan(
                    "review.early_review_triggers",
                    self._text("itp-review-triggers", "One trigger per line", area=True),
                ),
            ),
            *([heading("Events this revision takes into account"), *revised] if revised else []),
            heading("Notes"),
            self._bind_plan("notes", self._text("itp-plan-notes", "Anything else", area=True)),
            self.error_label,
        ]
        self._sync_plan_fields()
        self._arrange()

    def _toggle_event(self, event_id: str, on: bool) -> None:
        if self._syncing:
            return
        current = [e for e in self.plan.revised_for_events if e != event_id]
        self._try(
            lambda: self._commit(
                editing.update_plan(self.plan, revised_for_events=current + ([event_id] if on else [])),
                "plan",
            )
        )

    def _sync_plan_fields(self) -> None:
        p = self.plan
        values = {
            "title": p.title,
            "safety_plan": p.safety_plan,
            "notes": p.notes,
            "participation.patient_participated": p.participation.patient_participated,
            "participation.agreement_recorded": p.participation.agreement_recorded,
            "participation.copy_given": p.participation.copy_given,
            "participation.note": p.participation.note,
            "review.review_week": _display(p.review.review_week),
            "review.early_review_triggers": "\n".join(p.review.early_review_triggers),
        }
        self._syncing = True
        try:
            for name, value in values.items():
                widget = self.plan_fields.get(name)
                if widget is not None and widget.value != value:
                    widget.value = value
            for event_id, box in getattr(self, "revised_boxes", {}).items():
                box.value = event_id in p.revised_for_events
        finally:
            self._syncing = False

    def _sync_card(self, element_id: str) -> None:
        card = self.cards.get(element_id)
        if card is not None:
            self._fill(card, self.plan.element(element_id))

    def _arrange(self) -> None:
        """Lay the tree out again after an add, remove or move, reusing the forms of elements still there."""
        plan = self.plan
        present = {e.id for e in plan.elements()}
        for gone in [eid for eid in self.cards if eid not in present]:
            close_tree(self.cards.pop(gone))
        if self.focused_id not in present:
            self.focused_id = None

        def card(element: PlanElement) -> ElementCard:
            if element.id not in self.cards:
                self.cards[element.id] = self._card(element)
            return self.cards[element.id]

        problems = []
        for p in plan.problems:
            goals = []
            for g in p.goals:
                objectives = []
                for o in g.objectives:
                    card(o).children_box.children = [card(i) for i in o.interventions]
                    objectives.append(card(o))
                card(g).children_box.children = objectives
                goals.append(card(g))
            card(p).children_box.children = goals
            problems.append(card(p))
        self.problems_box.children = problems
        self.strengths_box.children = [card(s) for s in plan.strengths_used]
        self.barriers_box.children = [card(b) for b in plan.barriers]
        self.deferrals_box.children = [card(d) for d in plan.deferred_concerns]
        self.discharge_box.children = [card(d) for d in plan.discharge_criteria]
        self._refresh_headers()
        self._place_comments()
        if self.focused_id in self.cards:
            self.cards[self.focused_id].add_class(FOCUS_CLASS)
        if self.disabled:
            self._apply_disabled()

    def _refresh_headers(self) -> None:
        """Numbered one-line headers and up/down availability, from ``views.plan_outline``."""
        for row in plan_outline(self.plan):
            c = self.cards.get(row.element_id)
            if c is None:
                continue
            c.set_title(row.label)
            if not self.disabled:
                if c.buttons["up"].disabled != (not row.can_move_up):
                    c.buttons["up"].disabled = not row.can_move_up
                if c.buttons["down"].disabled != (not row.can_move_down):
                    c.buttons["down"].disabled = not row.can_move_down
        sections: tuple[tuple[str, Sequence[PlanElement]], ...] = (
            ("Strength used", self.plan.strengths_used),
            ("Barrier", self.plan.barriers),
            ("Deferred concern", self.plan.deferred_concerns),
            ("Discharge criterion", self.plan.discharge_criteria),
        )
        for title, items in sections:
            for n, item in enumerate(items, start=1):
                c = self.cards.get(item.id)
                if c is not None:
                    c.set_title(f"{title} {n}")
