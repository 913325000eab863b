"""The admin page (``notebooks/admin.ipynb``): people, cohorts, assignments with due dates, every trainee's
plans and competency progress, for a programme lead or a supervisor.

Composition only: every action is one store call (a roster is one transaction) made as the page's user, and
the store decides who may do it. An admin sees every tab; a supervisor who is not an admin sees the plans and
progress of their own cohorts (and the store refuses their administration anyway); a trainee is told the
page is not for them. Each action has a Python twin (``add_person``, ``import_roster``, ``set_active``,
``create_cohort``, ``add_member``, ``remove_member``, ``assign``) used by the tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..errors import InvalidInput, ITPError
from ..model import CaseStudy, Rubric
from ..model.base import isolate
from ..services.roster import import_roster, result_lines, set_active
from ..store import PlanStore
from ..store.records import Person, RosterEntry
from ..widgets._common import css, page_root, text_html
from ..widgets.my_plans import PlansOverview
from ..widgets.progress import ProgressView
from ._context import page_context

_STYLE = """<style>
.itp-admin .itp-admin-table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
.itp-admin .itp-admin-table td, .itp-admin .itp-admin-table th { border: 1px solid #ddd; padding: 3px 8px;
  text-align: left; }
.itp-admin .itp-admin-inactive { color: #4b5563; }  /* the stylesheet's muted ink: 7.6:1 on white */
.itp-admin .itp-admin-status { font-weight: 600; }
.itp-admin .widget-label { min-width: 0; }
</style>"""
ROLE_OPTIONS = [("Trainee", "trainee"), ("Supervisor", "supervisor"), ("Admin (a supervisor)", "admin")]


def _people_html(people: list[Person], cohorts_of: Mapping[str, list[str]]) -> str:
    from markupsafe import Markup

    rows = [Markup("<tr><th>Name</th><th>Role</th><th>Cohorts</th><th>Status</th></tr>")]
    for p in people:
        role = "admin" if p.is_admin else p.role
        rows.append(
            Markup('<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>').format(
                "" if p.active else "itp-admin-inactive",
                isolate(p.display_name),
                role,
                ", ".join(isolate(c) for c in cohorts_of.get(p.username, [])),
                "active" if p.active else "deactivated",
            )
        )
    return str(
        Markup('<table class="itp-admin-table itp-admin-people">{}</table>').format(Markup("").join(rows))
    )


class AdminPage(w.VBox):
    """The whole admin page for one user."""

    def __init__(
        self,
        store: PlanStore,
        user: str,
        cases: Mapping[str, CaseStudy],
        *,
        rubric: Rubric | None = None,
        today: Callable[[], dt.date] | None = None,
        **kwargs: Any,
    ):
        self.store = store
        self.user = user
        self.cases = dict(cases)
        self.status = w.Label(_dom_classes=("itp-admin-status",))
        super().__init__([w.HTML(_STYLE), self.status], **kwargs)
        css(self, "itp-admin")
        page_root(self)
        try:
            self.me = store.find_person(user, actor=user)
        except ITPError as exc:
            self.status.value = str(exc)
            css(self, "itp-app-error")
            return
        if self.me.role != "supervisor":
            self.status.value = "This page is for supervisors and programme leads."
            return
        self.plans = PlansOverview(store, user, self.cases, today=today)
        self.progress = ProgressView(store, user, self.cases, rubric=rubric)
        tabs: list[tuple[str, w.Widget]] = []
        if self.me.is_admin:
            tabs += [
                ("People", self._people_tab()),
                ("Cohorts", self._cohorts_tab()),
                ("Assignments", self._assign_tab()),
            ]
        tabs += [("Plans", self.plans), ("Progress", self.progress)]
        self.tabs = w.Tab(children=[t for _, t in tabs], _dom_classes=("itp-admin-tabs",))
        for n, (title, _) in enumerate(tabs):
            self.tabs.set_title(n, title)
        self.children = (*tuple(self.children), self.tabs)  # type: ignore[has-type]
        if self.me.is_admin:
            self.reload()

    # ------------------------------------------------------------------ layout

    def _people_tab(self) -> w.Widget:
        self.people_table = w.HTML(_dom_classes=("itp-admin-people-box",))
        self.new_username = w.Text(description="Username", _dom_classes=("itp-admin-username",))
        self.new_name = w.Text(description="Name", _dom_classes=("itp-admin-name",))
        self.new_role = w.Dropdown(description="Role", options=ROLE_OPTIONS, _dom_classes=("itp-admin-role",))
        self.new_cohort = w.Dropdown(
            description="Cohort", options=[("no cohort", 0)], _dom_classes=("itp-admin-new-cohort",)
        )
        add = w.Button(description="Add person", button_style="primary", _dom_classes=("itp-admin-add",))
        add.on_click(
            lambda _: self.add_person(
                self.new_username.value, self.new_name.value, self.new_role.value, self.new_cohort.value
            )
        )
        self.roster = w.FileUpload(
            accept=".csv", multiple=False, description="Roster CSV", _dom_classes=("itp-admin-roster",)
        )
        self.roster.observe(self._roster_uploaded, "value")
        self.pick_person = w.Dropdown(
            description="Person", options=[], _dom_classes=("itp-admin-pick-person",)
        )
        deactivate = w.Button(
            description="Deactivate", button_style="warning", _dom_classes=("itp-admin-deactivate",)
        )
        reactivate = w.Button(description="Reactivate", _dom_classes=("itp-admin-reactivate",))
        deactivate.on_click(lambda _: self.set_active(self.pick_person.value, False))
        reactivate.on_click(lambda _: self.set_active(self.pick_person.value, True))
        return w.VBox(
            [
                w.HTML(text_html("Add one person", "h4")),
                w.HBox([self.new_username, self.new_name]),
                w.HBox([self.new_role, self.new_cohort, add]),
                w.HTML(
                    text_html(
                        "Import a roster: a CSV with the columns username, display_name, role (trainee, "
                        "supervisor or admin) and cohorts (names separated by ;). Nothing is imported if "
                        "any row is wrong; importing again changes nothing.",
                        "p",
                    )
                ),
                self.roster,
                w.HTML(
                    text_html(
                        "Deactivate: their plans and feedback stay; they can no longer sign in or save.", "p"
                    )
                ),
                w.HBox([self.pick_person, deactivate, reactivate]),
                self.people_table,
            ]
        )

    def _cohorts_tab(self) -> w.Widget:
        self.cohort_name = w.Text(description="Name", _dom_classes=("itp-admin-cohort-name",))
        self.cohort_course = w.Text(
            description="Course", placeholder="optional", _dom_classes=("itp-admin-course",)
        )
        create = w.Button(
            description="Create cohort", button_style="primary", _dom_classes=("itp-admin-create-cohort",)
        )
        create.on_click(lambda _: self.create_cohort(self.cohort_name.value, self.cohort_course.value))
        self.member_cohort = w.Dropdown(
            description="Cohort", options=[], _dom_classes=("itp-admin-member-cohort",)
        )
        self.member_person = w.Dropdown(
            description="Person", options=[], _dom_classes=("itp-admin-member-person",)
        )
        add = w.Button(description="Add to cohort", _dom_classes=("itp-admin-add-member",))
        remove = w.Button(description="Remove from cohort", _dom_classes=("itp-admin-remove-member",))
        add.on_click(lambda _: self.add_member(self.member_cohort.value, self.member_person.value))
        remove.on_click(lambda _: self.remove_member(self.member_cohort.value, self.member_person.value))
        self.cohorts_table = w.HTML(_dom_classes=("itp-admin-cohorts",))
        return w.VBox(
            [
                w.HTML(text_html("New cohort", "h4")),
                w.HBox([self.cohort_name, self.cohort_course, create]),
                w.HTML(text_html("Membership", "h4")),
                w.HBox([self.member_cohort, self.member_person, add, remove]),
                self.cohorts_table,
            ]
        )

    def _assign_tab(self) -> w.Widget:
        options = sorted(((c.title, c.id) for c in self.cases.values()), key=lambda o: o[0].casefold())
        self.assign_case = w.Dropdown(
            description="Case", options=options, _dom_classes=("itp-admin-assign-case",)
        )
        self.assign_case.layout.width = "44em"
        self.assign_to = w.Dropdown(description="For", options=[], _dom_classes=("itp-admin-assign-to",))
        self.assign_due = w.DatePicker(description="Due", _dom_classes=("itp-admin-assign-due",))
        go = w.Button(description="Assign", button_style="primary", _dom_classes=("itp-admin-assign",))
        go.on_click(
            lambda _: self.assign(self.assign_case.value, self.assign_to.value, self.assign_due.value)
        )
        self.assignments_table = w.HTML(_dom_classes=("itp-admin-assignments",))
        return w.VBox(
            [
                w.HTML(text_html("Set a case for a cohort or one trainee, with a due date.", "p")),
                self.assign_case,
                w.HBox([self.assign_to, self.assign_due, go]),
                self.assignments_table,
            ]
        )

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        """Read people, cohorts and assignments again and redraw the admin tabs."""
        from markupsafe import Markup

        try:
            people = self.store.list_people(actor=self.user)
            cohorts = self.store.list_cohorts(actor=self.user)
            members = {c.id: self.store.list_cohort_members(c.id, actor=self.user) for c in cohorts}
            assignments = self.store.list_assigned_cases(actor=self.user)
        except ITPError as exc:
            self.status.value = str(exc)
            return
        self.people = people
        cohorts_of: dict[str, list[str]] = {}
        for c in cohorts:
            for m in members[c.id]:
                cohorts_of.setdefault(m.username, []).append(c.name)
        self.people_table.value = _people_html(people, cohorts_of)
        person_options = [(isolate(p.display_name), p.username) for p in people]  # names, never logins
        self.pick_person.options = person_options
        self.member_person.options = person_options
        cohort_options = [(isolate(c.name), c.id) for c in cohorts]
        self.new_cohort.options = [("no cohort", 0), *cohort_options]
        self.member_cohort.options = cohort_options
        self.assign_to.options = [
            *((f"cohort {isolate(c.name)}", ("cohort", c.id)) for c in cohorts),
            *(
                (f"{isolate(p.display_name)} (trainee)", ("trainee", p.username))
                for p in people
                if p.role == "trainee" and p.active
            ),
        ]
        for picker in (self.assign_to, self.member_cohort, self.member_person, self.pick_person):
            if picker.value is None and picker.options:  # an empty picker reads as broken
                picker.value = picker.options[0][1]
        rows = [Markup("<tr><th>Cohort</th><th>Course</th><th>Trainees</th><th>Supervisors</th></tr>")]
        for c in cohorts:
            rows.append(
                Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
                    isolate(c.name),
                    isolate(c.course or ""),
                    sum(1 for m in members[c.id] if m.role == "trainee"),
                    ", ".join(isolate(m.display_name) for m in members[c.id] if m.role == "supervisor"),
                )
            )
        self.cohorts_table.value = str(
            Markup('<table class="itp-admin-table">{}</table>').format(Markup("").join(rows))
        )
        names = {c.id: c.name for c in cohorts}
        display = {p.username: p.display_name for p in people}
        rows = [Markup("<tr><th>Case</th><th>For</th><th>Due</th></tr>")]
        for a in assignments:
            case = self.cases.get(a.case_id)
            target = (
                f"cohort {names.get(a.cohort_id or 0, '')}"
                if a.cohort_id
                else display.get(a.trainee or "", "")
            )
            rows.append(
                Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(
                    isolate(case.title if case else "a case not in the library"),
                    isolate(target),
                    a.due_on.isoformat() if a.due_on else "no due date",
                )
            )
        self.assignments_table.value = str(
            Markup('<table class="itp-admin-table">{}</table>').format(Markup("").join(rows))
        )

    def _done(self, message: str) -> str:
        self.status.value = message
        self.reload()
        self.plans.load_cohorts()
        self.progress.load_cohorts()
        return message

    def _failed(self, exc: ITPError) -> str:
        self.status.value = str(exc).replace("\n", "; ")
        return self.status.value

    # ------------------------------------------------------------------ actions (Python twins)

    def add_person(self, username: str, display_name: str, role: str, cohort_id: int | None = None) -> str:
        """Add one person (optionally into a cohort), as one store transaction."""
        cohorts = tuple(c.name for c in self.store.list_cohorts(actor=self.user) if c.id == cohort_id)
        try:
            if any(p.username == username.strip() for p in self.store.list_people(actor=self.user)):
                return self._failed(ITPError(f"{username.strip()} is already in the store"))
            entry = RosterEntry(
                line=1,
                username=username.strip(),
                display_name=display_name,
                role="trainee" if role == "trainee" else "supervisor",
                is_admin=role == "admin",
                cohorts=cohorts,
            )
            self.store.import_roster([entry], source="the form", actor=self.user)
        except InvalidInput as exc:
            return self._failed(ITPError("; ".join(f"{p.field}: {p.message}" for p in exc.problems)))
        except ITPError as exc:
            return self._failed(exc)
        self.new_username.value = self.new_name.value = ""
        return self._done(f"Added {display_name.strip()}.")

    def import_roster(self, data: str, name: str = "roster.csv") -> str:
        """Import a roster's text (the upload's twin); every problem is listed, nothing imported on any."""
        try:
            result = import_roster(self.store, Path(name), actor=self.user, data=data)
        except ITPError as exc:
            return self._failed(exc)
        return self._done("; ".join(result_lines(result)))

    def _roster_uploaded(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        try:
            text = bytes(upload["content"]).decode("utf-8")
        except UnicodeDecodeError:
            self.status.value = f"{upload['name']}: not UTF-8 text (save the file as CSV UTF-8)"
            return
        self.import_roster(text, upload["name"])

    def set_active(self, username: str | None, active: bool) -> str:
        if not username:
            return self._failed(ITPError("Pick a person first."))
        try:
            done = set_active(self.store, username, active, actor=self.user)
        except ITPError as exc:
            return self._failed(exc)
        state = (
            "active again" if active else "deactivated (their work stays; they can no longer sign in or save)"
        )
        note = f" Note: {done.note}" if done.note else ""
        return self._done(f"{done.person.display_name} is {state}.{note}")

    def create_cohort(self, name: str, course: str = "") -> str:
        try:
            cohort = self.store.add_cohort(name, course=course.strip() or None, actor=self.user)
        except ITPError as exc:
            return self._failed(exc)
        self.cohort_name.value = self.cohort_course.value = ""
        return self._done(f"Created cohort {cohort.name}.")

    def add_member(self, cohort_id: int | None, username: str | None) -> str:
        if cohort_id is None or not username:
            return self._failed(ITPError("Pick a cohort and a person first."))
        try:
            self.store.add_to_cohort(cohort_id, username, actor=self.user)
        except ITPError as exc:
            return self._failed(exc)
        return self._done("Added to the cohort.")

    def remove_member(self, cohort_id: int | None, username: str | None) -> str:
        if cohort_id is None or not username:
            return self._failed(ITPError("Pick a cohort and a person first."))
        try:
            removed = self.store.remove_from_cohort(cohort_id, username, actor=self.user)
        except ITPError as exc:
            return self._failed(exc)
        return self._done("Removed from the cohort." if removed else "They were not in that cohort.")

    def assign(self, case_id: str | None, target: tuple[str, Any] | None, due: dt.date | None) -> str:
        """Set a case for ('cohort', id) or ('trainee', username), due on ``due`` (None: no due date)."""
        if not case_id or target is None:
            return self._failed(ITPError("Pick a case and who it is for."))
        if case_id not in self.cases:
            return self._failed(ITPError("That case is not in the case library."))
        kind, who = target
        try:
            if kind == "cohort":
                self.store.assign_case(case_id, cohort_id=who, due_on=due, actor=self.user)
            else:
                self.store.assign_case(case_id, trainee=who, due_on=due, actor=self.user)
        except ITPError as exc:
            return self._failed(exc)
        due_text = f", due {due.isoformat()}" if due else ""
        return self._done(f"Assigned {self.cases[case_id].title}{due_text}.")


def admin_page(
    workspace: Any = None,
    *,
    user: str | None = None,
    store: PlanStore | None = None,
    case_library: Mapping[str, CaseStudy] | str | Path | None = None,
    rubric: Rubric | None = None,
) -> w.Widget:
    """The admin page for ``workspace`` (a Workspace, a directory, or ``$ITP_WORKSPACE``); errors come back
    as a page that says what to do."""
    try:
        page = page_context(workspace, user=user, store=store, case_library=case_library)
        return AdminPage(page.store, page.user, page.cases, rubric=rubric)
    except ITPError as exc:
        return w.VBox(
            [
                w.HTML(text_html("ITP Toolkit — course administration", "h2")),
                w.Label(str(exc), _dom_classes=("itp-admin-message",)),
            ],
            _dom_classes=("itp-admin", "itp-app-error"),
        )
