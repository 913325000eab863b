"""A whole workshop in real browsers against ONE standalone Voila server, as ``itp serve`` runs it.

A demo workspace (``demo: true``) lets each browser context act as a demo person with ``?as=``: one
facilitator and three trainees, each in their own context (own cookies, own kernel). Trainees join by code
and draft; the facilitator's progress board updates without a reload; blind drafting holds until review;
after review opens the trainees' pages show the group's drafts by themselves; the debrief shows the
group's consensus and, for each trainee, their own plan beside it. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from itp_toolkit.library.cases import load_case_library
from itp_toolkit.services.workspace import build_demo_workspace
from tests.browser.conftest import ARTIFACTS, TIMEOUT_MS, _require_browser, record_failure
from tests.browser.servers import ServeServer

pytestmark = pytest.mark.browser

TRAINEES = ("ana", "ben", "chen")
FACILITATOR = "dr.okafor"
REFRESH_WAIT_MS = 30_000
"""The pages refresh every 3 s; allow for a busy 2-core machine."""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeServer]:
    _require_browser()
    root = tmp_path_factory.mktemp("workshop-site")
    ws = build_demo_workspace(root / "demo")
    ws.close()
    with ServeServer(ws.path, root) as server:
        yield server


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"workshop-{name}.png"), full_page=True)


def new_page(browser, errors: list[str]):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    return context, pg


def test_a_whole_workshop_facilitator_and_three_trainees_on_one_server(browser, demo_server):
    errors: list[str] = []
    case = next(iter(load_case_library().values()))  # the demo cohort's first case
    concern = case.presenting_concerns[0].summary
    contexts = []
    try:
        # The landing page lists the pages and, in a demo workspace, "open as" links.
        ctx, landing = new_page(browser, errors)
        contexts.append(ctx)
        landing.goto(demo_server.page("index.ipynb"), wait_until="commit")
        landing.locator(".itp-landing .itp-page-link").first.wait_for()
        assert landing.locator(f'.itp-open-as[data-as="{FACILITATOR}"]').count() >= 2
        assert landing.locator('.itp-open-as[data-as="ana"]').count() >= 1
        shot(landing, "0-landing")

        ctx, fac = new_page(browser, errors)
        contexts.append(ctx)
        fac.goto(demo_server.page("facilitator.ipynb", FACILITATOR), wait_until="commit")
        fac.locator(".itp-workshop-form").wait_for()
        case_select = fac.locator(".itp-workshop-case select")
        case_select.select_option(label=case.title)
        fac.locator(".itp-workshop-minutes input").fill("15")
        fac.locator("button.itp-workshop-create").click()
        code = fac.locator(".itp-join-code-shown").inner_text(timeout=TIMEOUT_MS).strip()
        assert re.fullmatch(r"[A-Z2-9]{6}", code), code
        assert "Nobody has joined" in fac.locator(".itp-progress-board").inner_text()
        shot(fac, "1-created")

        trainees = {}
        for user in TRAINEES:
            ctx, pg = new_page(browser, errors)
            contexts.append(ctx)
            pg.goto(demo_server.page("trainee_workspace.ipynb", user), wait_until="commit")
            pg.locator(".itp-join-code input").wait_for()
            trainees[user] = pg
        for n, (user, pg) in enumerate(trainees.items()):
            pg.locator(".itp-join-code input").fill(code.lower())
            pg.locator("button.itp-join-button").click()
            # The page reopened the trainee's last coursework case on load; under load the join is handled
            # after that, so wait for the workshop's own draft (its button hands in to the room) before
            # typing, or the typing lands in the coursework editor that the join then replaces.
            pg.locator("button.itp-submit", has_text="Hand in").wait_for()
            pg.locator(".itp-plan-editor").wait_for()
            pg.locator("button.itp-add-problem").click()
            statement = pg.locator(".itp-element.itp-problem .itp-problem-statement input").first
            statement.click()
            statement.press_sequentially(f"{concern} ({user}'s own words {n})")
            pg.locator(".itp-autosave.itp-save-saved").wait_for(timeout=TIMEOUT_MS)
            # Workshop words on the trainee's side: hand in to the room, not "submit for supervision".
            assert pg.locator("button.itp-submit").inner_text().strip() == "Hand in"
            assert "Submit for supervision" not in pg.locator("body").inner_text()

        # The board updates by itself (kernel-side timer): no reload, no click.
        fac.wait_for_function(
            "() => document.querySelectorAll('.itp-progress-row.itp-state-drafting').length === 3",
            timeout=REFRESH_WAIT_MS,
        )
        assert "3 joined" in fac.locator(".itp-progress-summary").inner_text()
        shot(fac, "2-progress")

        # Blind drafting: no trainee page shows a peer's draft.
        for user, pg in trainees.items():
            assert pg.locator(".itp-peers-hidden").count() == 1
            body = pg.locator("body").inner_text()
            for other in TRAINEES:
                if other != user:
                    assert f"{other}'s own words" not in body
        shot(trainees["ana"], "3-ana-drafting-blind")

        # The projector board: code, phase and time left, large, above the fold at 1280x720.
        fac.set_viewport_size({"width": 1280, "height": 720})
        for big in (".itp-join-code-shown", ".itp-board-phase", ".itp-board-countdown"):
            box = fac.locator(big).bounding_box()
            size = fac.locator(big).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            assert box is not None and box["y"] + box["height"] <= 720 and size >= 48, (big, box, size)
        shot(fac, "2b-board-1280x720")
        fac.set_viewport_size({"width": 1500, "height": 1000})

        # Open review asks first; "Not yet" changes nothing.
        fac.locator("button.itp-workshop-advance", has_text="Open review").click()
        fac.locator("button.itp-workshop-cancel").click()
        assert fac.locator('.itp-workshop-phase[data-phase="drafting"]').count() == 1
        fac.locator("button.itp-workshop-advance", has_text="Open review").click()
        fac.locator("button.itp-workshop-confirm", has_text="Yes, open review").click()
        fac.locator('.itp-workshop-phase[data-phase="review"]').wait_for()
        ana = trainees["ana"]
        # The editor turns read-only by itself, with a banner that says why (no reload).
        ana.locator(".itp-workshop-frozen").wait_for(timeout=REFRESH_WAIT_MS)
        ana.wait_for_function(
            "() => [...document.querySelectorAll('.itp-problem-statement input')].every(i => i.disabled)",
            timeout=REFRESH_WAIT_MS,
        )
        assert ana.locator("button.itp-submit").is_disabled()
        ana.wait_for_function(
            "() => document.querySelectorAll('.itp-peer-draft').length === 2", timeout=REFRESH_WAIT_MS
        )
        peers = ana.locator(".itp-peer-drafts").inner_text()
        assert "ben's own words" in peers and "chen's own words" in peers
        assert "Trainee B" in peers  # anonymized labels
        shot(ana, "4-ana-review")

        picker = fac.locator(".itp-exemplar-picker select")
        picker.wait_for()
        picker.select_option(  # people by display name
            label=next(o for o in picker.locator("option").all_inner_texts() if "Chen" in o)
        )
        fac.locator(".itp-exemplar-note-input textarea").fill(
            "Notice how the problem keeps <b>her</b> words."
        )
        fac.locator("button.itp-exemplar-pick").click()
        fac.locator(".itp-workshop-message", has_text="Exemplar picked").wait_for()
        fac.locator("button.itp-workshop-advance", has_text="Open debrief").click()
        fac.locator("button.itp-workshop-confirm").click()
        fac.locator(".itp-debrief-consensus").wait_for()
        assert "Where the group agreed" in fac.locator(".itp-debrief").inner_text()
        shot(fac, "5-facilitator-debrief")

        for user in ("ana", "ben"):
            pg = trainees[user]
            pg.locator(".itp-debrief-consensus").wait_for(timeout=REFRESH_WAIT_MS)
            text = pg.locator(".itp-debrief").inner_text()
            assert "Your plan beside the group" in text and "Exemplars the facilitator picked" in text
            assert "<b>her</b> words" in text  # the note shows as text
            assert pg.locator(".itp-debrief b").count() == 0
        shot(trainees["ana"], "6-ana-debrief")
        assert not errors, errors
    except Exception as exc:
        seen = locals()
        pages = {"facilitator": seen["fac"]} if "fac" in seen else {}
        pages.update(seen.get("trainees", {}))
        exc.add_note(record_failure(pages, "workshop"))
        raise
    finally:
        for ctx in contexts:
            ctx.close()


def test_as_is_refused_in_a_workspace_that_is_not_a_demo(browser, tmp_path):
    from itp_toolkit.services.workspace import Workspace

    ws = Workspace.init(tmp_path / "real", user="director")
    ws.close()
    with ServeServer(ws.path, tmp_path) as server:
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        try:
            pg = context.new_page()
            pg.goto(server.page("trainee_workspace.ipynb", "ana"), wait_until="commit")
            message = pg.locator(".itp-app-message")
            message.wait_for()
            assert "only works in a demo workspace" in message.inner_text()
        finally:
            context.close()
