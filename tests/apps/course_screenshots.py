"""Screenshots of the admin page and the competency-progress views for docs/screenshots/ (not a test).

Builds a demo workspace, imports the 40-person roster, sets due dates and scores a Year 1 cohort over two
cases and several revisions, serves the pages with ``itp serve``'s Voila and takes 1440x900 screenshots in
headless Chromium. Run: ``PYTHONPATH=$PWD .venv/bin/python -m tests.apps.course_screenshots [OUT_DIR]``.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
from pathlib import Path

from itp_toolkit.checks.rubrics import default_rubric
from itp_toolkit.services.roster import import_roster
from itp_toolkit.services.workspace import build_demo_workspace
from tests.browser.servers import ServeServer
from tests.store.roster_data import roster_csv

CASES = ("case-college-anxiety", "case-adolescent-depression")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
]


def seed(root: Path) -> Path:
    ws = build_demo_workspace(root)
    store, lead = ws.store(), ws.user
    import_roster(store, "roster.csv", actor=lead, data=roster_csv())
    store.add_cohort("Electives 2027", course="Substance use and co-occurring disorders", actor=lead)
    today = dt.datetime.now(dt.UTC).date()
    demo = store.find_cohort("Demo cohort", actor=lead).id
    store.assign_case(CASES[0], cohort_id=demo, due_on=today + dt.timedelta(days=3), actor=lead)
    year1 = store.find_cohort("Year 1", actor=lead).id
    store.assign_case(CASES[0], cohort_id=year1, due_on=today - dt.timedelta(days=10), actor=lead)
    store.assign_case(CASES[1], cohort_id=year1, due_on=today + dt.timedelta(days=12), actor=lead)
    rubric = default_rubric()
    rng = random.Random(16)
    for i in range(0, 36, 3):
        who = f"t{i:02d}"
        base = rng.choice((1, 1, 2, 2, 3))
        for n, case in enumerate(CASES[: 1 + (i % 2 == 0)]):
            draft = store.start_draft(case, actor=who).id
            plan = store.blank_plan(draft, actor=who)
            for revision in range(1, 3):
                store.save_revision(draft, plan, based_on=revision - 1, actor=who)
                for c in rubric.criteria:
                    level = min(4, base + n + revision - 1 + rng.choice((0, 0, 1, -1)))
                    store.add_score(draft, rubric.id, c.id, max(1, level), revision=revision, actor="sup0")
                store.submit_draft(draft, actor=who)
                if revision == 1 and i % 4 == 3:  # some stay returned, waiting for the trainee
                    store.return_draft(draft, summary="Tighten the objectives", actor="sup0")
                    break
                if revision == 1:
                    store.return_draft(draft, summary="Tighten the objectives", actor="sup0")
            store.release_feedback(draft, actor="sup0")
    ws.close()
    return ws.path


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="itp-shots-"))
    ws = seed(work / "ws")
    out.mkdir(parents=True, exist_ok=True)
    with ServeServer(ws, work) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(180_000)

        def tab(title: str, name: str) -> None:
            page.locator(".itp-admin-tabs .lm-TabBar-tab", has_text=title).first.click()
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / name))

        page.goto(server.page("admin.ipynb", "director"), wait_until="commit")
        page.wait_for_selector(".itp-admin-people", state="attached")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out / "admin-people.png"))
        tab("Cohorts", "admin-cohorts.png")
        tab("Assignments", "admin-assignments.png")
        tab("Plans", "admin-plans.png")
        tab("Progress", "progress-cohort.png")
        page.locator(".itp-competency-trainee-pick select").select_option(label="Trainee 00")
        page.wait_for_timeout(2500)
        page.locator(".itp-competency-trainee-plot").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "progress-trainee.png"))
        page.goto(server.page("admin.ipynb", "sup0"), wait_until="commit")
        page.wait_for_selector(".itp-plans-overview", state="attached")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out / "admin-supervisor.png"))
        page.goto(server.page("trainee_workspace.ipynb", "dee"), wait_until="commit")
        page.wait_for_selector(".itp-plans-grid", state="attached")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out / "my-plans-trainee.png"))
        browser.close()


if __name__ == "__main__":
    main(
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    )
