"""The landing page of itp serve: every page listed; "open as" links only in a demo, escaped."""

from __future__ import annotations

import datetime as dt

from itp_toolkit.apps.landing import PAGES, CaseLibraryPage, landing_html, landing_links, landing_page
from itp_toolkit.store.records import Person
from itp_toolkit.store.workshops import WorkshopProgress
from itp_toolkit.views.workshop import countdown, progress_counts
from tests.conftest import demo_workspace, shipped_cases

PEOPLE = [
    Person(username="ana", display_name="Ana <i>R</i>", role="trainee"),
    Person(username="dr.okafor", display_name="Dr. Okafor", role="supervisor"),
]


def test_every_page_is_listed_and_open_as_links_appear_only_in_a_demo():
    plain = landing_links(PAGES, PEOPLE, demo=False)
    assert [link.page for link in plain] == [p.notebook for p in PAGES] and not any(
        link.person for link in plain
    )
    demo = landing_links(PAGES, PEOPLE, demo=True)
    as_ana = {link.page for link in demo if link.person == "ana"}
    as_sup = {link.page for link in demo if link.person == "dr.okafor"}
    assert "trainee_workspace.ipynb" in as_ana and "facilitator.ipynb" not in as_ana
    assert {
        "facilitator.ipynb",
        "supervisor_review.ipynb",
    } <= as_sup and "trainee_workspace.ipynb" not in as_sup
    assert any(link.href == "trainee_workspace.ipynb?as=ana" for link in demo)
    assert not any(link.person and link.page == "case_library.ipynb" for link in demo)  # no sign-in needed


def test_landing_html_escapes_names():
    html = landing_html(landing_links(PAGES, PEOPLE, demo=True), demo=True)
    assert "<i>R</i>" not in html and "Ana &lt;i&gt;R&lt;/i&gt;" in html


def test_a_demo_workspace_landing_page_lists_its_people(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    ws = demo_workspace(tmp_path / "demo")
    html = landing_page(ws).value
    assert 'data-as="chen"' in html and "demo workspace" in html
    ws.close()


def test_the_case_library_page_shows_the_trainee_copy_and_moves_weeks(tmp_path):

    cases = shipped_cases()
    page = CaseLibraryPage(cases)
    first = next(iter(cases))
    assert page.viewer is not None and page.viewer.case.id == first
    assert page.viewer.case.reference_plan is None  # teaching material never reaches this page
    page.week.value = 6
    assert page.viewer.week == 6


def test_the_case_library_page_keeps_its_plots_where_the_trainee_page_finds_them(tmp_path):
    """A case read on the library page is drawn once into the workspace's plot cache; a trainee page (another
    kernel) with that case and week then reads it instead of drawing."""
    from itp_toolkit.apps.landing import case_library_page

    ws = demo_workspace(tmp_path / "demo")
    page = case_library_page(ws)
    assert isinstance(page, CaseLibraryPage) and page.viewer is not None
    png = page.viewer.plot_png
    assert png.startswith(b"\x89PNG")
    kept = list((ws.cache_dir / "plots").glob("*.bin"))
    assert [ws.plot_cache().get(k.stem) for k in kept] == [png]
    ws.close()


def test_progress_counts_and_countdown():
    now = dt.datetime(2025, 1, 1, 10, 0, tzinfo=dt.UTC)
    rows = [
        WorkshopProgress(
            trainee=u,
            display_name=u,
            joined_at=now,
            draft_id=1,
            status=s,
            latest_revision=r,
            last_saved_at=None,
            submitted=sub,
        )
        for u, s, r, sub in [
            ("a", "empty", 0, False),
            ("b", "in_progress", 2, False),
            ("c", "submitted", 3, True),
        ]
    ]
    assert progress_counts(rows) == {"joined": 3, "drafting": 1, "submitted": 1}
    assert countdown(now + dt.timedelta(seconds=125), now) == "2:05 left"
    assert countdown(now - dt.timedelta(seconds=1), now).startswith("Time is up")
    assert countdown(now + dt.timedelta(minutes=5), now, "review") == ""
