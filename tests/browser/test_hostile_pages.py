"""Every page, in Chromium, over a workspace where every text field is hostile markup or odd Unicode.

One ``itp serve``-style Voila server over the workspace of ``hostile_site.py``; each page is opened as the
person it is for (``?as=``, demo workspace) and taken to the views that show the poisoned text (cohort
tables, side by side, annotations, scores, feedback, history, progress, debrief). On every page:

- nothing ran: no ``window.__itpPwned``, no dialog, no page error, no request to the attacker's host, no
  element from a payload (ids ``itp-pwn-*``), no ``javascript:`` link, no inline handler from a payload,
  the body not hidden by injected CSS;
- the text is shown intact: right-to-left text with its override marks, emoji sequences, stacked combining
  marks and a decomposed é appear exactly as stored, and the 500- and 20,000-character texts appear whole.

The exported feedback report and debrief (``itp publish --html``) get the same checks, opened from disk
with the network blocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from itp_toolkit.model.base import SHORT_TEXT_MAX
from itp_toolkit.services.workspace import Workspace
from tests.browser.conftest import ARTIFACTS, TIMEOUT_MS, _require_browser
from tests.browser.hostile_site import (
    ATTACKER_HOST,
    COMBINING,
    EMOJI,
    EXEMPLAR_NOTE,
    LONG_COMMENT,
    LONG_STATEMENT,
    NEW_TRAINEE,
    PAYLOADS,
    RTL,
    SCORE_COMMENT,
    SUPERVISOR,
    TRAINEE_NAMES,
    HostileSite,
    build_hostile_workspace,
)
from tests.browser.servers import ServeServer

pytestmark = pytest.mark.browser

NOTHING_RAN_JS = r"""() => {
  const handlers = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on') && a.value.includes('__itpPwned')) handlers.push(`${el.tagName} ${a.name}`);
    }
  }
  const urls = [...document.querySelectorAll('[href], [src], [action], [formaction]')]
    .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action')
      || e.getAttribute('formaction'));
  return {
    pwned: window.__itpPwned === undefined ? null : String(window.__itpPwned),
    injected: [...document.querySelectorAll('[id^="itp-pwn"]')]
      .map(e => `${e.tagName.toLowerCase()}#${e.id}`),
    javascript_urls: urls.filter(u => /^\s*javascript:/i.test(u || '')),
    handlers,
    srcdoc_frames: document.querySelectorAll('iframe[srcdoc]').length,
    body_hidden: getComputedStyle(document.body).display === 'none',
  };
}"""

PAGE_TEXT_JS = r"""() => [
  document.body.textContent,
  ...[...document.querySelectorAll('input, textarea')].map(e => e.value),
  // ipywidgets shows the spaces of option labels as no-break spaces
  ...[...document.querySelectorAll('option')].map(o => o.textContent.replace(/\u00a0/g, ' ')),
].join('\n')"""

SHOWS_ALL_JS = f"texts => {{ const page = ({PAGE_TEXT_JS})(); return texts.every(t => page.includes(t)); }}"


@dataclass
class Watch:
    """What a browser context did that it must not have: dialogs, page errors, requests to the attacker."""

    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    attacker_requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> HostileSite:
    _require_browser()
    return build_hostile_workspace(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def server(site: HostileSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeServer]:
    with ServeServer(site.workspace, tmp_path_factory.mktemp("hostile-serve")) as s:
        yield s


@pytest.fixture
def open_page(browser) -> Iterator:
    """``open_page(url)`` -> (page, watch) in a fresh context; everything hostile the context saw is
    recorded."""
    contexts = []

    def opener(url: str, *, offline: bool = False):
        context = browser.new_context(viewport={"width": 1600, "height": 1200}, offline=offline)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        watch = Watch()

        def on_request(request) -> None:
            if ATTACKER_HOST in request.url:
                watch.attacker_requests.append(request.url)

        def on_dialog(dialog) -> None:
            watch.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        context.on("request", on_request)
        pg = context.new_page()
        pg.on("dialog", on_dialog)
        pg.on("pageerror", lambda e: watch.page_errors.append(str(e)))
        pg.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        return pg, watch

    yield opener
    for context in contexts:
        context.close()


def assert_nothing_ran(pg, watch: Watch, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"hostile-{name}.png"), full_page=True)
    found = pg.evaluate(NOTHING_RAN_JS)
    assert found == {
        "pwned": None,
        "injected": [],
        "javascript_urls": [],
        "handlers": [],
        "srcdoc_frames": 0,
        "body_hidden": False,
    }, f"{name}: {found}"
    assert watch.dialogs == [], f"{name}: {watch.dialogs}"
    assert watch.page_errors == [], f"{name}: {watch.page_errors}"
    assert watch.attacker_requests == [], f"{name}: {watch.attacker_requests}"


def assert_shows_intact(pg, texts: list[str], name: str) -> None:
    """Every text appears exactly (code point for code point) in the page's text or its fields' values."""
    try:
        pg.wait_for_function(SHOWS_ALL_JS, arg=texts, timeout=TIMEOUT_MS)
    except Exception:
        page = pg.evaluate(PAGE_TEXT_JS)
        missing = [t[:80] for t in texts if t not in page]
        raise AssertionError(f"{name}: not shown intact: {missing}") from None


def pick_first(pg, selector: str) -> None:
    """Choose the first real option of a dropdown (its label is hostile text, so not picked by label)."""
    select = pg.locator(f"{selector} select")
    select.locator("option").first.wait_for(state="attached")
    values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
    select.select_option(value=next(v for v in values if v != ""))


def payload_shown_as_text(pg, payload: str) -> None:
    """The payload is on the page as text, not dropped: escaping, not stripping."""
    assert payload in pg.evaluate(PAGE_TEXT_JS)


# ---------------------------------------------------------------------------------------------------- pages


def test_landing_page_lists_hostile_names_as_text(server, open_page):
    pg, watch = open_page(server.page("index.ipynb"))
    pg.locator(".itp-landing .itp-page-link").first.wait_for()
    assert_shows_intact(pg, [TRAINEE_NAMES["ana"], TRAINEE_NAMES["ben"]], "landing")
    payload_shown_as_text(pg, TRAINEE_NAMES["chen"])
    assert_nothing_ran(pg, watch, "landing")


def test_case_library_shows_a_hostile_case_as_text(server, site, open_page):
    pg, watch = open_page(server.page("case_library.ipynb"))
    pg.locator(".itp-case-library .itp-case-viewer").wait_for()
    assert_shows_intact(pg, [site.case.patient_words[0].text, site.case.title], "case-library")
    assert_nothing_ran(pg, watch, "case-library")


def test_trainee_page_shows_hostile_case_plan_feedback_and_debrief_as_text(server, site, open_page):
    pg, watch = open_page(server.page("trainee_workspace.ipynb", "ana"))
    pick_first(pg, ".itp-case-picker")
    pg.locator("button.itp-open-case").click()
    pg.locator(".itp-plan-editor").wait_for()
    pg.locator(".itp-feedback-comment").first.wait_for()
    pg.locator(".itp-critique-panel .itp-score").first.wait_for()
    assert_shows_intact(
        pg,
        [
            site.case.patient_words[0].text,  # case viewer
            LONG_STATEMENT,  # editor field, 500 characters of stacked marks and emoji
            LONG_COMMENT,  # supervisor comment, 20,000 characters
            SCORE_COMMENT,  # rubric score comment
            f"{PAYLOADS[7]} {RTL}",  # a reply
        ],
        "trainee",
    )
    assert_nothing_ran(pg, watch, "trainee-coursework")
    # The workshop (in its debrief) through the page's own join box: the group's plans and the exemplar note.
    pg.locator(".itp-join-code input").fill(site.join_code)
    pg.locator("button.itp-join-button").click()
    pg.locator(".itp-debrief-consensus").wait_for()
    assert_shows_intact(pg, [EXEMPLAR_NOTE, f"ana: {COMBINING}"], "trainee-workshop")
    assert_nothing_ran(pg, watch, "trainee")


def test_supervisor_page_shows_hostile_drafts_and_comments_as_text(server, site, open_page):
    pg, watch = open_page(server.page("supervisor_review.ipynb", SUPERVISOR))
    pick_first(pg, ".itp-sup-cohort")
    pick_first(pg, ".itp-sup-case")
    pg.locator("button.itp-sup-load").click()
    pg.locator(".itp-sup-tabs .lm-TabBar-tab", has_text="Compare plans").click()
    pg.locator("button.itp-sup-compare").click()
    pg.locator(".itp-sup-side-by-side table").wait_for()
    assert_shows_intact(pg, [LONG_STATEMENT], "supervisor-compare")
    pg.locator(".itp-sup-tabs .lm-TabBar-tab", has_text="Cohort overview").click()
    pg.locator(".itp-sup-drafts table").wait_for()
    pg.locator(".itp-sup-tabs .lm-TabBar-tab", has_text="Review a plan").click()
    # The comments are on ana's plan; plans are listed by display name (chen's, a payload, sorts first).
    drafts = pg.locator(".itp-sup-draft select")
    drafts.locator("option", has_text="Ana ").first.wait_for(state="attached")
    labels = drafts.locator("option").all_text_contents()
    drafts.select_option(index=next(n for n, label in enumerate(labels) if label.startswith("Ana")))
    assert_shows_intact(pg, [LONG_COMMENT, f"{PAYLOADS[7]} {RTL}"], "supervisor-annotations")
    assert_nothing_ran(pg, watch, "supervisor")


def test_facilitator_page_shows_a_hostile_workshop_as_text(server, site, open_page):
    pg, watch = open_page(server.page("facilitator.ipynb", SUPERVISOR))
    pick_first(pg, ".itp-workshop-existing")
    pg.locator("button.itp-workshop-open").click()
    pg.locator(".itp-debrief-consensus").wait_for()
    assert_shows_intact(pg, [EXEMPLAR_NOTE, TRAINEE_NAMES["ana"]], "facilitator")
    payload_shown_as_text(pg, PAYLOADS[5])  # in the workshop title
    assert_nothing_ran(pg, watch, "facilitator")


def test_progress_page_shows_hostile_names_as_text(server, site, open_page):
    pg, watch = open_page(server.page("workshop_progress.ipynb", SUPERVISOR))
    pick_first(pg, ".itp-progress-picker")
    pg.locator(".itp-progress-board").wait_for()
    assert_shows_intact(pg, [TRAINEE_NAMES["ana"], TRAINEE_NAMES["ben"]], "progress")
    assert_nothing_ran(pg, watch, "progress")


def test_debrief_page_shows_the_hostile_group_as_text_to_a_trainee(server, site, open_page):
    pg, watch = open_page(server.page("workshop_debrief.ipynb", "ana"))
    pick_first(pg, ".itp-debrief-picker")
    pg.locator(".itp-debrief-consensus").wait_for()
    assert_shows_intact(pg, [EXEMPLAR_NOTE, f"ana: {COMBINING}"], "debrief")
    assert_nothing_ran(pg, watch, "debrief")


def open_own_case(pg) -> None:
    pick_first(pg, ".itp-case-picker")
    pg.locator("button.itp-open-case").click()
    pg.locator(".itp-plan-editor").wait_for()


def saved_statement(site: HostileSite) -> str:
    ws = Workspace.open(site.workspace)
    try:
        store = ws.store()
        draft = store.start_draft(site.case.id, actor=NEW_TRAINEE)
        if draft.latest_revision == 0:
            return ""
        plan = store.get_revision(draft.id, actor=NEW_TRAINEE)
        return plan.problems[0].statement if plan.problems else ""
    finally:
        ws.close()


def wait_until_saved(site: HostileSite, statement: str, timeout: float = TIMEOUT_MS / 1000) -> None:
    """Autosave runs a moment after typing stops: watch the store, not the page."""
    deadline = time.monotonic() + timeout
    while (seen := saved_statement(site)) != statement:
        if time.monotonic() > deadline:
            raise AssertionError(f"not saved within {timeout:.0f} s; the store has {seen[:80]!r}")
        time.sleep(0.5)


def test_odd_unicode_typed_into_the_editor_is_saved_and_shown_intact_after_a_reload(server, site, open_page):
    typed = f"{RTL} {EMOJI} {COMBINING} {PAYLOADS[1]}"
    pg, watch = open_page(server.page("trainee_workspace.ipynb", NEW_TRAINEE))
    open_own_case(pg)
    pg.locator("button.itp-add-problem").click()
    statement = pg.locator(".itp-element.itp-problem .itp-problem-statement input").first
    statement.fill(typed)
    wait_until_saved(site, typed)

    # One character over the limit: refused beside the field, naming the limit; the typed text stays in the
    # field; the saved plan keeps the last good statement.
    too_long = "🧠" * (SHORT_TEXT_MAX + 1)
    statement.fill(too_long)
    error = pg.locator(".itp-element.itp-problem .itp-field-error").first
    error.wait_for()
    pg.wait_for_function("el => el.textContent.includes('500')", arg=error.element_handle())
    assert "statement" in error.inner_text()
    assert statement.input_value() == too_long
    assert saved_statement(site) == typed

    pg.reload(wait_until="commit")
    open_own_case(pg)
    again = pg.locator(".itp-element.itp-problem .itp-problem-statement input").first
    again.wait_for()
    assert again.input_value() == typed
    assert_nothing_ran(pg, watch, "trainee-typed")


# ------------------------------------------------------------------------------------------- exported HTML


def publish_html(site: HostileSite, kind: str, out: Path, **ids: int) -> Path:
    """The real ``itp publish --html`` command, acting as the supervisor."""
    args = [f"--{k}={v}" for k, v in ids.items()]
    env = dict(os.environ, JUPYTERHUB_USER=SUPERVISOR)
    itp = Path(sys.executable).with_name("itp")
    subprocess.run(
        [str(itp), "publish", "--html", kind, *args, "--out", str(out), "--workspace", str(site.workspace)],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    return out


@pytest.mark.parametrize("kind", ["feedback", "debrief"])
def test_exported_html_shows_hostile_text_as_text_offline(site, open_page, tmp_path, kind):
    if kind == "feedback":
        path = publish_html(site, kind, tmp_path / "feedback.html", draft=site.drafts["ana"])
        expected = [LONG_COMMENT, SCORE_COMMENT, LONG_STATEMENT]
    else:
        path = publish_html(site, kind, tmp_path / "debrief.html", workshop=site.workshop_id)
        expected = [EXEMPLAR_NOTE]
    pg, watch = open_page(path.as_uri(), offline=True)
    pg.wait_for_load_state("load")
    assert_shows_intact(pg, expected, f"export-{kind}")
    assert_nothing_ran(pg, watch, f"export-{kind}")


def test_the_samples_really_are_odd():
    """Guard the guard: the texts checked above are the hard cases they claim to be."""
    assert "\u202e" in RTL and "\u200d" in EMOJI and "e\u0301" in COMBINING and "\U0002070e" in COMBINING
    assert len(LONG_STATEMENT) == 500 and len(LONG_COMMENT) == 20_000
    assert all("itp-pwn" in p or "javascript:" in p for p in PAYLOADS)
