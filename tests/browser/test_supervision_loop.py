"""The whole supervision loop in Chromium, each person in their own browser context, on one store:

supervisor returns the submitted plan with a comment and a summary -> the trainee sees "returned", the summary
and the comment, answers the comment, revises and resubmits -> the supervisor reads the answer, resolves the
thread and signs off -> the trainee sees "Signed off".

Trainee elements are found by visible text, label, placeholder and role (not CSS classes); the trainee answers
in the Reply box under the comment, beside the goal it is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from itp_toolkit.store import PlanStore
from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.browser.servers import VoilaServer
from tests.browser.site import STORE_URL_VAR, TraineeSite, build_trainee_site
from tests.browser.test_supervisor_browser import supervisor_notebook
from tests.compare.conftest import make_plan, panic_problem

pytestmark = pytest.mark.browser

COMMENT = "Whose goal is this? Write it in her own words"
SUMMARY = "Good start. Reword goal 1.1 with her, then submit again"
ANSWER = "Reworded with her: she wants to stay for the whole exam"
REVISED_GOAL = "I want to stay in the exam room until the end"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> TraineeSite:
    from tests.browser.conftest import _require_browser

    _require_browser()
    return build_trainee_site(tmp_path_factory.mktemp("loop-site"))


@pytest.fixture(scope="module")
def submitted(site) -> int:
    """The new trainee's plan, saved and handed in (drafting in the browser is tested elsewhere)."""
    store = PlanStore.open(site.store_url)
    try:
        plan = make_plan(
            site.case_id, "n", [panic_problem("n", "Panic attacks in lectures", concerns=["pc-panic"])]
        )
        draft = store.start_draft(site.case_id, actor=site.user)
        store.save_revision(draft.id, plan, based_on=0, actor=site.user)
        store.submit_draft(draft.id, actor=site.user)
        return draft.id
    finally:
        store.close()


@pytest.fixture(scope="module")
def servers(site, submitted, tmp_path_factory) -> Iterator[tuple[VoilaServer, VoilaServer]]:
    notebook = supervisor_notebook(tmp_path_factory.mktemp("loop-supervisor-page"))
    sup_env = {STORE_URL_VAR: site.store_url, "JUPYTERHUB_USER": "dr.okafor"}
    with (
        VoilaServer(notebook, sup_env, tmp_path_factory.mktemp("voila-loop-sup")) as sup,
        VoilaServer(site.notebook, site.env, tmp_path_factory.mktemp("voila-loop-trainee")) as trainee,
    ):
        yield sup, trainee


def new_page(browser, server: VoilaServer):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    pg.goto(server.base_url + "/", wait_until="commit", timeout=TIMEOUT_MS)
    return context, pg


def open_from_queue(pg, name: str) -> None:
    pg.get_by_role("button", name=name, exact=True).click()
    pg.locator(".itp-sup-review-title", has_text=name).wait_for()


def sup_message(pg, text: str) -> None:
    pg.locator(".itp-sup-message", has_text=text).wait_for()


def open_case_as_trainee(pg) -> None:
    picker = pg.get_by_role("combobox", name="Case", exact=True)
    option = picker.locator("option", has_text="second-year student").first
    option.wait_for(state="attached")
    picker.select_option(label=option.inner_text())
    pg.get_by_role("button", name="Open case").click()


def test_return_revise_resubmit_resolve_and_sign_off_across_two_browsers(browser, servers, site, submitted):
    sup_server, trainee_server = servers

    # 1. The supervisor opens the plan from the queue, comments on the goal, returns it with a summary.
    context, pg = new_page(browser, sup_server)
    pg.get_by_text("1 plan is waiting for you").wait_for()
    open_from_queue(pg, "New Trainee")
    pg.locator(".itp-sup-history", has_text="Submitted revision 1").wait_for()
    element = pg.get_by_role("combobox", name="About")
    element.locator("option", has_text="Goal 1.1").first.wait_for(state="attached")
    labels = [o.replace("\xa0", " ") for o in element.locator("option").all_inner_texts()]
    element.select_option(index=next(n for n, o in enumerate(labels) if o.startswith("Goal 1.1")))
    pg.get_by_role("textbox", name="Your comment").fill(COMMENT)
    pg.get_by_role("button", name="Add comment").click()
    sup_message(pg, "Comment added")
    pg.get_by_role("textbox", name="Summary").fill(SUMMARY)
    pg.get_by_role("button", name="Return for revision").click()
    pg.get_by_text("Return New Trainee's plan for revision?").wait_for()
    pg.get_by_role("button", name="Yes, return it").click()
    sup_message(pg, "Returned to New Trainee for revision")
    pg.locator(".itp-sup-history", has_text="Returned for revision by Dr. Okafor").wait_for()
    screenshot(pg, "loop-1-supervisor-returned")
    context.close()

    # 2. The trainee sees the returned state, the summary and the comment; answers; revises; resubmits.
    context, tp = new_page(browser, trainee_server)
    open_case_as_trainee(tp)
    tp.get_by_text(re.compile("Your supervisor returned it")).first.wait_for()
    tp.get_by_text(SUMMARY).first.wait_for()
    tp.get_by_text(COMMENT).first.wait_for()
    tp.get_by_role("textbox", name="Your reply").first.fill(ANSWER)
    tp.get_by_role("button", name="Send reply").first.click()
    tp.get_by_text(ANSWER).first.wait_for()
    goal = tp.get_by_placeholder("Ideally in the person's own words").first
    goal.fill(REVISED_GOAL)
    goal.press("Tab")
    save = tp.get_by_role("button", name="Save now")
    if save.is_enabled():  # autosave may have saved it already (then the button is disabled)
        save.click(timeout=5_000, trial=False) if save.is_enabled() else None
    tp.get_by_text("Saved as revision 2").first.wait_for()
    tp.get_by_role("button", name="Submit for supervision").click()
    tp.get_by_text(re.compile("Waiting for your supervisor")).first.wait_for()
    screenshot(tp, "loop-2-trainee-resubmitted")
    context.close()

    # 3. The supervisor reads the answer in the thread, resolves it and signs off.
    context, pg = new_page(browser, sup_server)
    pg.get_by_text("1 plan is waiting for you").wait_for()
    open_from_queue(pg, "New Trainee")
    thread = pg.locator(".itp-sup-thread-row", has_text=ANSWER)
    thread.wait_for()
    thread.get_by_role("button", name="Mark resolved").click()
    sup_message(pg, "Thread marked resolved")
    pg.locator(".itp-sup-thread-row", has_text="resolved").get_by_role("button", name="Reopen").wait_for()
    pg.get_by_role("button", name="Sign off", exact=True).click()
    pg.get_by_role("button", name="Yes, sign it off").click()
    sup_message(pg, "Signed off New Trainee's plan")
    history = pg.locator(".itp-sup-history")
    for step in ("Submitted revision 1", "Returned for revision", "Submitted revision 2", "Signed off by"):
        history.get_by_text(re.compile(step)).first.wait_for()
    screenshot(pg, "loop-3-supervisor-signed-off")
    context.close()

    # 4. The trainee sees it signed off.
    context, tp = new_page(browser, trainee_server)
    open_case_as_trainee(tp)
    tp.get_by_text(re.compile("Your supervisor signed the plan off")).first.wait_for()
    screenshot(tp, "loop-4-trainee-signed-off")
    context.close()
