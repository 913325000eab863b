"""A supervisor reviews in Voila (compare, annotate an intervention, score with a comment, release); the
trainee sees it.

Two Voila servers on one store: the supervisor page as ``dr.okafor`` and the trainee page as the new
trainee, each in its own browser context. The exported report then opens with the network blocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from itp_toolkit.checks.rubrics import default_rubric
from itp_toolkit.library.cases import load_case_library
from itp_toolkit.store import PlanStore
from itp_toolkit.views.reports import gather_report, report_html
from tests.browser.conftest import ARTIFACTS, TIMEOUT_MS, screenshot
from tests.browser.servers import VoilaServer
from tests.browser.site import REPO, STORE_URL_VAR
from tests.compare.conftest import make_plan, panic_problem, sleep_problem

pytestmark = pytest.mark.browser

NOTEBOOK = REPO / "notebooks" / "supervisor_review.ipynb"
COMMENT = "Good: the exposure ladder starts from her own lecture attacks"


def supervisor_notebook(directory: Path) -> Path:
    """The supervisor notebook with its one ``supervisor_review(...)`` line pointed at the test store."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "supervisor_review(" in cell.source and "import" not in cell.source:
            cell.source = (
                "from itp_toolkit.store import PlanStore\n"
                f"page = supervisor_review(store=PlanStore.open(os.environ[{STORE_URL_VAR!r}]))"
            )
            break
    else:
        raise AssertionError(f"{NOTEBOOK} has no supervisor_review(...) cell")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / NOTEBOOK.name
    nbformat.write(nb, target)
    return target


@pytest.fixture(scope="module")
def drafts(trainee_site) -> dict[str, int]:
    """Saved drafts for the new trainee and for ana, so there are two to compare."""
    store = PlanStore.open(trainee_site.store_url)
    try:
        out = {}
        for user, suffix in ((trainee_site.user, "n"), ("ana", "a")):
            plan = make_plan(
                trainee_site.case_id,
                suffix,
                [
                    panic_problem(suffix, "Panic attacks in lectures", concerns=["pc-panic"]),
                    sleep_problem(suffix, "Cannot fall asleep"),
                ],
            )
            draft = store.start_draft(trainee_site.case_id, actor=user)
            store.save_revision(draft.id, plan, based_on=0, actor=user)
            out[user] = draft.id
        return out
    finally:
        store.close()


@pytest.fixture(scope="module")
def voila_supervisor(trainee_site, drafts, tmp_path_factory) -> Iterator[VoilaServer]:
    notebook = supervisor_notebook(tmp_path_factory.mktemp("supervisor-pages"))
    env = {STORE_URL_VAR: trainee_site.store_url, "JUPYTERHUB_USER": "dr.okafor"}
    with VoilaServer(notebook, env, tmp_path_factory.mktemp("voila-sup")) as server:
        yield server


def pick(pg, selector: str, text: str) -> None:
    select = pg.locator(f"{selector} select")
    # The options arrive with the widget's state, a moment after the element itself.
    select.locator("option", has_text=text).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    # ipywidgets shows spaces in option labels as non-breaking spaces.
    texts = [o.replace("\xa0", " ") for o in select.locator("option").all_text_contents()]
    select.select_option(index=next(n for n, o in enumerate(texts) if text in o))


def wait_message(pg, text: str) -> None:
    pg.locator(".itp-sup-message", has_text=text).wait_for(timeout=TIMEOUT_MS)


def test_supervisor_reviews_in_voila_and_the_trainee_sees_the_comment_beside_the_intervention(
    browser, voila_supervisor, voila_trainee, trainee_site, drafts
):
    sup = browser.new_context(viewport={"width": 1440, "height": 900})
    sup.set_default_timeout(TIMEOUT_MS)
    pg = sup.new_page()
    pg.goto(voila_supervisor.base_url + "/", wait_until="commit", timeout=TIMEOUT_MS)
    pick(pg, ".itp-sup-cohort", "Cohort A")
    pick(pg, ".itp-sup-case", "second-year student")
    pg.get_by_role("button", name="Show drafts").click()
    wait_message(pg, "2 drafts of")
    pg.get_by_role("tab", name="Compare plans").click()
    pg.get_by_role("listbox", name="Plans").select_option(index=[0, 1])
    pg.get_by_role("button", name="Compare side by side").click()
    pg.locator(".itp-sup-side-by-side table", has_text="Panic attacks in lectures").wait_for()
    screenshot(pg, "supervisor-compare")

    pg.get_by_role("tab", name="Review a plan").click()
    pick(pg, ".itp-sup-draft", "New Trainee")
    pick(pg, ".itp-sup-element", "Intervention")
    pick(pg, ".itp-sup-tags", "strength")
    pg.get_by_role("textbox", name="Your comment").fill(COMMENT)
    pg.get_by_role("button", name="Add comment").click()
    wait_message(pg, "Comment added")
    pg.locator(".itp-sup-threads", has_text=COMMENT).wait_for()

    pg.get_by_role("tab", name="Rubric").click()
    pg.get_by_role("combobox", name="Patient's voice").select_option(label="3")
    pg.get_by_role("textbox", name="Comment on patient's voice").fill("Her words in goal 1.1")
    pg.get_by_role("button", name="Save scores").click()
    wait_message(pg, "score saved")
    pg.get_by_role("button", name="Release feedback").click()
    wait_message(pg, "Released")
    screenshot(pg, "supervisor-released")
    sup.close()

    trainee = browser.new_context(viewport={"width": 1440, "height": 900})
    trainee.set_default_timeout(TIMEOUT_MS)
    tp = trainee.new_page()
    tp.goto(voila_trainee.base_url + "/", wait_until="commit", timeout=TIMEOUT_MS)
    picker = tp.get_by_role("combobox", name="Case", exact=True)
    option = picker.locator("option", has_text="second-year student").first
    option.wait_for(state="attached")
    picker.select_option(label=option.inner_text())
    tp.get_by_role("button", name="Open case").click()
    beside = tp.locator(".itp-feedback-for-int-cbtn", has_text=COMMENT)
    beside.wait_for(timeout=TIMEOUT_MS)
    tp.get_by_text("Her words in goal 1.1").first.wait_for()
    screenshot(tp, "trainee-sees-supervisor-comment")
    trainee.close()


def test_exported_report_opens_offline_and_shows_its_plots(browser, voila_supervisor, trainee_site, drafts):
    store = PlanStore.open(trainee_site.store_url)
    try:
        case = load_case_library()[trainee_site.case_id]
        draft_id = drafts[trainee_site.user]
        store.add_score(draft_id, default_rubric().id, "crit-smart", 2, actor="dr.okafor")
        report = gather_report(
            store, draft_id, case=case, rubric=default_rubric(), actor="dr.okafor", released_only=False
        )
    finally:
        store.close()
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "feedback-report.html"
    path.write_text(report_html(report), encoding="utf-8")
    context = browser.new_context(offline=True)
    blocked: list[str] = []

    def only_files(route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    pg = context.new_page()
    pg.goto(path.as_uri())
    widths = pg.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == 2 and all(w > 0 for w in widths)
    assert blocked == []
    screenshot(pg, "feedback-report-offline")
    context.close()
