"""The landing page of ``itp serve`` (``notebooks/index.ipynb``) and the read-only case library page.

The landing page lists the pages; in a demo workspace (``demo: true``) it also lists "open as" links for
each demo person (``?as=<username>``, which ``apps.identity`` honours in demo workspaces only). The links
are computed by ``landing_links`` (pure) and written into HTML escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import ipywidgets as w
from markupsafe import Markup

from ..errors import ITPError
from ..formats.cache import ByteCache
from ..library.cases import load_library_user_cached
from ..model import CaseStudy
from ..model.base import isolate
from ..services.workspace import Workspace
from ..store.records import Person
from ..views.html import style_block
from ..widgets._common import css, page_root, text_html
from ..widgets.case_viewer import CaseViewer
from ._context import open_workspace, plot_cache_for


@dataclass(frozen=True)
class PageInfo:
    notebook: str
    title: str
    description: str
    roles: tuple[str, ...]
    """Who the page is for: 'trainee', 'supervisor', or both; () for anyone (no sign-in needed)."""


PAGES: tuple[PageInfo, ...] = (
    PageInfo(
        "trainee_workspace.ipynb",
        "Trainee workspace",
        "Write treatment plans for your assigned cases, see the critique, join a workshop with its code.",
        ("trainee",),
    ),
    PageInfo(
        "supervisor_review.ipynb",
        "Supervision",
        "Compare your cohort's drafts, annotate, score with the rubric, release feedback.",
        ("supervisor",),
    ),
    PageInfo(
        "facilitator.ipynb",
        "Run a workshop",
        "Create a workshop on a case, share the code, watch progress live, open review and the debrief.",
        ("supervisor",),
    ),
    PageInfo(
        "workshop_progress.ipynb",
        "Workshop progress",
        "The live progress board for a projector.",
        ("supervisor",),
    ),
    PageInfo(
        "workshop_debrief.ipynb",
        "Workshop debrief",
        "What the group agreed on and where it split; a trainee sees their own plan beside the group.",
        ("trainee", "supervisor"),
    ),
    PageInfo(
        "admin.ipynb",
        "Course administration",
        "People, cohorts, assignments with due dates, every trainee's plans and competency progress.",
        ("supervisor",),
    ),
    PageInfo("case_library.ipynb", "Case library", "Browse the case studies as a trainee sees them.", ()),
)


@dataclass(frozen=True)
class Link:
    page: str
    title: str
    href: str
    description: str
    person: str = ""


def landing_links(
    pages: Sequence[PageInfo], people: Sequence[Person] = (), *, demo: bool = False
) -> list[Link]:
    """One link per page; in a demo, also one per (page, demo person whose role the page is for)."""
    out: list[Link] = []
    for page in pages:
        href = quote(page.notebook)
        out.append(Link(page.notebook, page.title, href, page.description))
        if not demo:
            continue
        for person in people:
            if page.roles and person.role in page.roles:
                out.append(
                    Link(
                        page.notebook,
                        page.title,
                        f"{href}?{urlencode({'as': person.username})}",
                        f"{isolate(person.display_name)} ({person.role})",
                        person.username,
                    )
                )
    return out


def landing_html(links: Sequence[Link], *, demo: bool, workspace: str = "") -> str:
    parts = [Markup("<h1>ITP Toolkit</h1>")]
    if workspace:
        parts.append(Markup('<p class="itp-landing-workspace">Workspace: {}</p>').format(workspace))
    if demo:
        parts.append(
            Markup(
                '<p class="itp-landing-demo">This is a demo workspace: open a page <em>as</em> one of '
                "the demo people to try each role. (On a real server, people sign in instead.)</p>"
            )
        )
    items = []
    for page in dict.fromkeys(link.page for link in links):
        main = next(link for link in links if link.page == page and not link.person)
        people = [link for link in links if link.page == page and link.person]
        open_as = Markup("").join(
            Markup('<li><a class="itp-open-as" data-as="{}" href="{}">open as {}</a></li>').format(
                link.person, link.href, link.description
            )
            for link in people
        )
        items.append(
            Markup(
                '<li class="itp-landing-page"><a class="itp-page-link" href="{}">{}</a> — {}{}</li>'
            ).format(
                main.href,
                main.title,
                main.description,
                Markup("<ul>{}</ul>").format(open_as) if people else Markup(""),
            )
        )
    parts.append(Markup('<ul class="itp-landing-pages itp-page-list">{}</ul>').format(Markup("").join(items)))
    return str(Markup("").join(parts))


def landing_page(workspace: Any = None, *, pages: Sequence[PageInfo] = PAGES) -> w.Widget:
    """The list of pages; with demo people's "open as" links when the workspace is a demo."""
    ws, people, demo, where = None, [], False, ""
    note = ""
    try:
        ws = open_workspace(workspace)
        config = ws.config
        demo = config.demo
        where = str(ws.path)
        if demo:
            people = ws.store().list_people(actor=config.user)
    except ITPError as exc:
        note = str(exc)
    # One widget: the stylesheet and the page's HTML together (the landing page has no controls).
    page = w.HTML(
        style_block() + landing_html(landing_links(pages, people, demo=demo), demo=demo, workspace=where),
        _dom_classes=("itp-landing", "itp-page"),
    )
    if note:
        return page_root(
            w.VBox(
                [page, w.Label(note, _dom_classes=("itp-app-message",))],
                _dom_classes=("itp-landing-page-box",),
            )
        )
    return page


class CaseLibraryPage(w.VBox):
    """Pick a case and read it as a trainee would (teaching notes and reference plans never shown);
    move the exercise week to see the timeline unfold. Read-only: nothing is saved."""

    def __init__(self, cases: Mapping[str, CaseStudy], *, plot_cache: ByteCache | None = None, **kwargs: Any):
        self.cases = dict(cases)
        self._plot_cache = plot_cache
        self.picker = w.Dropdown(
            description="Case",
            options=[(c.title, cid) for cid, c in self.cases.items()],
            layout=w.Layout(width="auto", min_width="28em", max_width="64em", flex="1 1 auto"),
            style={"description_width": "3em"},
            _dom_classes=("itp-library-picker",),
        )
        # A labelled number box (type a week or step it with the arrow keys): a screen reader names it
        # "Week", which a slider's handle in Voila is not.
        self.week = w.BoundedIntText(
            description="Week",
            min=0,
            max=52,
            value=0,
            layout=w.Layout(width="10em", flex="0 0 auto"),
            style={"description_width": "3em"},
            _dom_classes=("itp-library-week",),
        )
        self.holder = w.VBox(_dom_classes=("itp-library-holder",))
        self.viewer: CaseViewer | None = None
        self.picker.observe(lambda ch: self.show(ch["new"]), "value")
        self.week.observe(lambda ch: self._set_week(ch["new"]), "value")
        super().__init__(
            [
                w.HTML(text_html("Case library", "h1")),
                w.HBox([self.picker, self.week], _dom_classes=("itp-toolbar",)),
                self.holder,
            ],
            **kwargs,
        )
        css(self, "itp-case-library")
        page_root(self)
        if self.cases:
            self.show(self.picker.value or next(iter(self.cases)))

    def show(self, case_id: str | None) -> None:
        if case_id is None or case_id not in self.cases:
            return
        if self.viewer is not None:
            self.viewer.close()
        self.viewer = CaseViewer(self.cases[case_id], week=self.week.value, plot_cache=self._plot_cache)
        self.holder.children = [self.viewer]

    def _set_week(self, week: int) -> None:
        if self.viewer is not None:
            self.viewer.week = week


def case_library_page(
    workspace: Any = None, *, case_library: Mapping[str, CaseStudy] | str | Path | None = None
) -> w.Widget:
    try:
        # The scores plots are kept where the trainee page keeps them: a case read here draws once.
        ws: Workspace | None = None
        try:
            ws = open_workspace(workspace)
            if case_library is None:
                case_library = ws.load_cases()
        except ITPError:
            pass  # no workspace: the shipped library, the user's cache folder
        plot_cache = plot_cache_for(ws)
        if case_library is None or isinstance(case_library, (str, Path)):
            case_library = load_library_user_cached(case_library)
        return CaseLibraryPage(case_library, plot_cache=plot_cache)
    except ITPError as exc:
        return page_root(
            w.VBox(
                [
                    w.HTML(text_html("Case library", "h2")),
                    w.Label(str(exc), _dom_classes=("itp-app-message",)),
                ],
                _dom_classes=(
                    "itp-case-library",
                    "itp-app-error",
                ),
            )
        )
