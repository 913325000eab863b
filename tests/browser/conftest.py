"""Browser-test fixtures: Debian's Chromium through Playwright, a Voila trainee page, screenshots.

Without /usr/bin/chromium the tests skip and say why, unless ITP_REQUIRE_BROWSER=1 (CI), where a missing
browser is a failure. Screenshots go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests._require import require_browser
from tests.browser.servers import VoilaServer
from tests.browser.site import REPO, TraineeSite, build_trainee_site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 120_000
ARTIFACTS = REPO / "test-artifacts"
# Known, harmless console errors, matched on the message *and* the URL:
# - offline, Voila's page asks a CDN for Font Awesome (voila #539): icons are missing, widgets work;
# - leaving or reloading a Voila page posts a kernel shutdown without _xsrf and gets 403 (voila #1458);
#   the kernel is culled by the idle timeout the servers here are started with.
ALLOWED_CONSOLE_ERRORS = re.compile(
    r"net::ERR_\w+ @ https://[^ ]*fontawesome"
    r"|status of 403 \(Forbidden\) @ http://127\.0\.0\.1:\d+/voila/api/shutdown/",
    re.I,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _require_browser() -> None:
    require_browser(CHROMIUM)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium per browser test module. Not per session: Playwright's sync API registers its event loop
    as the main thread's running loop while it lives, so later tests that schedule on "the running loop" (as
    widgets do in a kernel) would see timers that never fire."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class PageWatch:
    """What a page did that a test must check: console errors, dialogs opened."""

    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.console_errors if not ALLOWED_CONSOLE_ERRORS.search(e)]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keep each phase's report on the test item, so a fixture can tell, at teardown, that the test failed."""
    report = yield
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report
    return report


PHASE_REPORTS = pytest.StashKey[dict]()

# What a failed browser test leaves behind, beside its screenshot: the page's own account of its state.
_PAGE_STATE_JS = """() => {
  const text = sel => [...document.querySelectorAll(sel)].map(e => e.innerText.trim()).filter(Boolean);
  const inputs = [...document.querySelectorAll('input, textarea, select, button')];
  return {
    url: location.href,
    banners: text('.itp-autosave, .itp-draft-error, .itp-message, .itp-workshop-phase, .itp-workshop-frozen,'
                  + ' .itp-status-banner, .jupyter-widgets-error-widget, .itp-page-error').slice(0, 12),
    problems: document.querySelectorAll('.itp-element.itp-problem').length,
    controls: inputs.length,
    disabled: inputs.filter(e => e.disabled).length,
    widget_errors: text('.jupyter-widgets-error-widget, .widget-error').slice(0, 5),
  };
}"""


def failed(request: pytest.FixtureRequest) -> bool:
    """Did the test that requested this fixture fail (or error in setup)?"""
    reports = request.node.stash.get(PHASE_REPORTS, {})
    return any(r.failed for r in reports.values())


def record_failure(pages: dict[str, object], label: str) -> str:
    """Screenshot every page and describe what each one shows, for a failure that only happens under load:
    the screenshots go to test-artifacts/, the description into the failure message."""
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [f"state of the pages when '{label}' failed (screenshots in {ARTIFACTS}):"]
    for name, pg in pages.items():
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"failed-{label}-{name}")
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True, timeout=15_000)
            state = pg.evaluate(_PAGE_STATE_JS)
        except Exception as exc:  # a closed or crashed page: say so and go on to the next one
            state = f"not readable: {type(exc).__name__}: {exc}".splitlines()[0]
        lines.append(f"  {name}: {state}")
    return "\n".join(lines)


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[tuple[object, PageWatch]]:
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    watch = PageWatch()
    pg.on(
        "console",
        lambda m: (
            watch.console_errors.append(f"{m.text} @ {m.location.get('url', '')}")
            if m.type == "error"
            else None
        ),
    )

    def on_dialog(dialog) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg, watch
    if failed(request):
        print(record_failure({"page": pg}, request.node.name))
    context.close()


def screenshot(pg, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    top = pg.locator(".itp-trainee-header, .jp-Notebook").first
    if top.count():
        top.scroll_into_view_if_needed()
    pg.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="module")
def trainee_site(tmp_path_factory: pytest.TempPathFactory) -> TraineeSite:
    _require_browser()
    return build_trainee_site(tmp_path_factory.mktemp("trainee-site"))


@pytest.fixture(scope="module")
def voila_trainee(
    trainee_site: TraineeSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VoilaServer]:
    """Voila serving the trainee page; stopped (with its kernels) after the module."""
    with VoilaServer(trainee_site.notebook, trainee_site.env, tmp_path_factory.mktemp("voila")) as server:
        yield server
