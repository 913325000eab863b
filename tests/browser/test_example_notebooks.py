"""The example teaching notebooks render in Voila in Chromium with no console error, respond to a click,
and an app folder written by ``itp publish`` serves one of them as published (its own voila.json, the
cases it brought). Screenshots go to test-artifacts/authoring-*.png (the ones in docs/ come from here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from itp_toolkit.cli import main as itp
from tests.browser.conftest import ARTIFACTS, TIMEOUT_MS, _require_browser
from tests.browser.servers import VoilaServer

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "notebooks" / "examples"


@pytest.fixture
def voila(tmp_path: Path) -> Iterator:
    """Start standalone Voila on a notebook (in its folder, so a voila.json there applies)."""
    started: list[VoilaServer] = []

    def start(notebook: Path) -> VoilaServer:
        server = VoilaServer(
            notebook, {"ITP_CASE_LIBRARY": str(EXAMPLES.parents[1] / "case_studies")}, tmp_path
        )
        started.append(server.__enter__())
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)


@pytest.fixture
def pg(browser, page):
    _require_browser()
    pg, watch = page
    pg.set_viewport_size({"width": 1280, "height": 900})
    return pg, watch


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"authoring-{name}.png"), full_page=False)


def open_page(pg, server: VoilaServer, first: str) -> None:
    pg.goto(server.base_url + "/", wait_until="commit", timeout=TIMEOUT_MS)
    pg.locator(first).first.wait_for(timeout=TIMEOUT_MS)


def no_errors(watch) -> None:
    assert not watch.unexpected_errors(), watch.unexpected_errors()
    assert not watch.dialogs


def test_case_formulation_reveals_the_next_week_on_a_click(voila, pg):
    pg, watch = pg
    server = voila(EXAMPLES / "case_formulation.ipynb")
    open_page(pg, server, ".itp-plan-editor")
    pg.locator(".itp-critique-panel").wait_for()
    assert pg.locator(".itp-case-viewer").count() == 1
    assert "What has happened since intake" not in pg.locator(".itp-case-viewer").inner_text()
    shot(pg, "formulation")
    for _ in range(3):
        pg.locator("button.itp-next-week").click()
    pg.locator(".itp-case-viewer", has_text="What has happened since intake").wait_for(timeout=TIMEOUT_MS)
    assert "Traceback" not in pg.content()
    no_errors(watch)


def test_spot_the_cookie_cutter_plan_compares_and_takes_a_comment(voila, pg):
    pg, watch = pg
    server = voila(EXAMPLES / "spot_the_cookie_cutter_plan.ipynb")
    open_page(pg, server, ".itp-plan-compare")
    pg.locator(".itp-critique-panel").first.wait_for()
    assert pg.locator(".itp-compare-table tr").count() > 5
    assert "individualization score" in pg.locator(".itp-compare-summary").inner_text()
    pg.evaluate("document.querySelector('.itp-compare-summary').scrollIntoView()")
    shot(pg, "compare")
    pg.locator(".itp-thread-text textarea").fill("Plan B: 'Client will improve sleep' <b>fits anyone</b>")
    pg.locator("button.itp-thread-add").click()
    pg.locator(".itp-thread-comment", has_text="fits anyone").wait_for(timeout=TIMEOUT_MS)
    assert pg.locator(".itp-thread-comment b").count() == 0, "comment text was rendered as HTML"
    pg.locator(".itp-annotation-thread").scroll_into_view_if_needed()
    shot(pg, "thread")
    no_errors(watch)


def test_measurement_based_care_shows_the_plot_and_the_change_table(voila, pg):
    pg, watch = pg
    server = voila(EXAMPLES / "measurement_based_care.ipynb")
    open_page(pg, server, ".itp-measures img")
    table = pg.locator(".itp-measures-table")
    table.wait_for()
    assert "one score so far" in table.inner_text()
    week = pg.get_by_role("spinbutton", name="Week")  # a labelled number box: its name is "Week"
    week.click()
    pg.keyboard.press("Control+A")
    pg.keyboard.type("14")
    pg.keyboard.press("Enter")
    pg.wait_for_function(
        "() => document.querySelector('.itp-measures-table').innerText.includes('week 14')",
        timeout=TIMEOUT_MS,
    )
    shot(pg, "measures")
    no_errors(watch)


def test_a_published_example_folder_serves_and_opens(voila, pg, tmp_path):
    """Served as its README says (plain ``voila`` in the folder), the app uses the toolkit's template: no
    request leaves for another host (Font Awesome's CDN was one), and no console error at all, not even the
    ones other tests allow."""
    pg, watch = pg
    out = tmp_path / "app"
    assert itp(["publish", str(EXAMPLES / "spot_the_cookie_cutter_plan.ipynb"), "--out", str(out)]) == 0
    server = voila(out / "spot_the_cookie_cutter_plan.ipynb")
    origin = urlsplit(server.base_url).netloc
    elsewhere: list[str] = []
    pg.on("pageerror", lambda e: watch.console_errors.append(f"page error: {e}"))
    pg.on(
        "request",
        lambda r: elsewhere.append(r.url) if urlsplit(r.url).netloc not in ("", origin) else None,
    )
    pg.context.route(lambda url: urlsplit(url).netloc not in ("", origin), lambda route: route.abort())
    open_page(pg, server, ".itp-plan-compare")
    pg.locator(".itp-annotation-thread").wait_for()
    html = pg.content()
    assert "ITP_CASE_LIBRARY" not in html, "the setup cell's source reached the page"
    assert "Traceback" not in html
    pg.wait_for_load_state("networkidle")
    shot(pg, "published")
    assert not elsewhere, elsewhere
    assert not watch.console_errors, watch.console_errors
    assert not watch.dialogs
