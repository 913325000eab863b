"""The toolkit on a real JupyterHub, end to end, in Chromium.

One hub (``deploy/jupyterhub/launch.py``: its own ports, PostgreSQL database, role prefix and folder) over the
demo roster. Two trainees and a supervisor sign in through the hub's own login page; each gets their own
server, whose database URL is their own role's. A trainee drafts; the supervisor sees the draft, comments and
releases; the trainee sees the comment. From the other trainee's own kernel (a notebook in their server, run
by Voila there), raw SQL over their own URL reads none of the first trainee's work, and a workshop's blind
phase holds the same way until the facilitator opens review. Afterwards no process of the run is left.

Skipped, saying why, where jupyterhub or configurable-http-proxy is missing, unless ITP_REQUIRE_HUB=1 (CI).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator

import nbformat
import pytest

from itp_toolkit.library.cases import load_case_library
from itp_toolkit.store import PlanStore
from itp_toolkit.store.db_security import RoleNames
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot
from tests.deploy.hub import PASSWORD, REPO, HubRun, environ_of, missing_prerequisites, pick

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.postgres, pytest.mark.timeout(420)]

TIMEOUT_MS = 150_000
MARK = secrets.token_hex(4)
ANA_PROBLEM = f"Lies awake worrying about the exam {MARK}"
COMMENT = f"Say how you will measure the worry {MARK}"
ANA_WORKSHOP_PLAN = f"Ana's workshop plan {MARK}"
PROBE = "probe.ipynb"
ANA_LABEL = re.compile(r"Ana\sRuiz|^\s*ana\b")
"""How a page names ana: her display name (or her username, on pages that still show it)."""


def _require_hub() -> None:
    missing = missing_prerequisites()
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not missing:
        return
    if os.environ.get("ITP_REQUIRE_HUB") == "1":
        pytest.fail(f"ITP_REQUIRE_HUB=1 but this machine lacks: {', '.join(missing)}")
    pytest.skip(f"no hub here: missing {', '.join(missing)}")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubRun]:
    _require_hub()
    run = HubRun(tmp_path_factory.mktemp("hub-e2e"))
    try:
        with run:
            yield run
    finally:
        # After the hub has stopped: nothing it started may still be running.
        assert run.leftovers == [], f"processes left behind: {run.leftovers}"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def case_title() -> str:
    """The demo's first case (the one the demo trainees have drafts for)."""
    return next(iter(load_case_library().values())).title


def start_sign_in(browser, hub: HubRun, username: str):  # type: ignore[no-untyped-def]
    """A browser context signing in through the hub's login page (the hub then starts their server)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login", wait_until="commit")
    page.locator("#username_input").fill(username)
    page.locator("#password_input").fill(PASSWORD)
    page.locator("#login_submit").click(no_wait_after=True)
    return context, page


def wait_signed_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    """The hub ran the pre-spawn hook (store sync, database role), started the server and sent us there."""
    page.wait_for_url(re.compile(rf"/user/{re.escape(username)}/"), timeout=TIMEOUT_MS, wait_until="commit")


def open_page(page, hub: HubRun, username: str, notebook: str, ready: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{hub.url}/user/{username}/voila/render/{notebook}", wait_until="commit")
    page.locator(ready).first.wait_for(timeout=TIMEOUT_MS)


def _itp_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def write_probe(hub: HubRun, username: str) -> None:
    """A notebook in the person's own folder that reads the store with raw SQL over the server's own URL."""
    code = f"""
import json, os
import psycopg
url = os.environ["ITP_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
with psycopg.connect(url) as conn:
    row = conn.execute(
        "SELECT current_user, "
        "(SELECT count(*) FROM drafts WHERE owner = 'ana'), "
        "(SELECT count(*) FROM revisions WHERE plan_json LIKE %s), "
        "(SELECT count(*) FROM revisions WHERE plan_json LIKE %s), "
        "(SELECT count(*) FROM annotations), "
        "(SELECT count(*) FROM drafts WHERE owner = 'ben')",
        ("%{ANA_PROBLEM}%", "%{ANA_WORKSHOP_PLAN}%"),
    ).fetchone()
secrets_seen = sorted(k for k in os.environ if k in ("ITP_HUB_ADMIN_URL", "CONFIGPROXY_AUTH_TOKEN"))
print("PROBE " + json.dumps(dict(role=row[0], ana_drafts=row[1], ana_coursework=row[2], ana_workshop=row[3],
      annotations=row[4], own_drafts=row[5], hub_secrets=secrets_seen)))
"""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    folder = hub.state / "users" / username
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / PROBE)


def run_probe(page, hub: HubRun, username: str) -> dict:  # type: ignore[no-untyped-def]
    """Open the probe in the person's own server (Voila runs it in a kernel there) and read its answer."""
    page.goto(f"{hub.url}/user/{username}/voila/render/{PROBE}", wait_until="commit")
    output = page.locator(".jp-OutputArea-output", has_text="PROBE").first
    output.wait_for(timeout=TIMEOUT_MS)
    return json.loads(output.inner_text().split("PROBE", 1)[1].strip())


def test_two_trainees_and_a_supervisor_work_on_a_real_hub_each_through_their_own_role(
    hub: HubRun, browser, case_title: str
) -> None:
    names = RoleNames(hub.prefix)

    # Three people sign in at once (the hub starts their servers side by side).
    write_probe(hub, "ben")
    ana_ctx, ana = start_sign_in(browser, hub, "ana")
    sup_ctx, sup = start_sign_in(browser, hub, "dr.okafor")
    ben_ctx, ben = start_sign_in(browser, hub, "ben")
    for page, username in ((ana, "ana"), (sup, "dr.okafor"), (ben, "ben")):
        wait_signed_in(page, username)

    # ana drafts in the trainee page, served by her own server.
    open_page(ana, hub, "ana", "pages/trainee_workspace.ipynb", ".itp-case-picker select")
    pick(ana, ".itp-case-picker", case_title)
    ana.locator("button.itp-open-case").click()
    ana.locator(".itp-plan-editor").wait_for()
    ana.locator("button.itp-add-problem").click()
    statement = ana.locator(".itp-element.itp-problem").first.locator(".itp-problem-statement input")
    statement.click()
    statement.press_sequentially(ANA_PROBLEM)
    ana.locator(".itp-autosave.itp-save-saved", has_text="revision").wait_for()
    screenshot(ana, "hub-trainee-drafted")

    # Each server holds its own role's URL and password; never the admin URL or the proxy's token.
    servers = hub.server_pids()
    assert set(servers) == {"ana", "dr.okafor", "ben"}
    for username, pid in servers.items():
        env = environ_of(pid)
        assert env["ITP_DATABASE_URL"].split("://", 1)[1].startswith(f"{names.user(username)}@")
        assert env["PGPASSWORD"] and env["PGPASSWORD"] not in env["ITP_DATABASE_URL"]
        assert "ITP_HUB_ADMIN_URL" not in env and "CONFIGPROXY_AUTH_TOKEN" not in env
        assert not any(hub.admin_url in value for value in env.values())

    # dr.okafor sees ana's draft in the supervisor page, comments on it and releases the feedback.
    open_page(sup, hub, "dr.okafor", "pages/supervisor_review.ipynb", ".itp-sup-cohort select")
    pick(sup, ".itp-sup-cohort", "Demo cohort")
    pick(sup, ".itp-sup-case", case_title)
    sup.locator("button.itp-sup-load").click()
    sup.locator(".itp-sup-tabs .lm-TabBar-tab", has_text="Review a plan").click()
    pick(sup, ".itp-sup-draft", ANA_LABEL)
    pick(sup, ".itp-sup-element", "whole plan")
    sup.locator(".itp-sup-comment textarea").fill(COMMENT)
    sup.locator("button.itp-sup-add-comment").click()
    sup.locator(".itp-sup-threads", has_text=COMMENT).wait_for()
    sup.locator("button.itp-sup-release").click()
    sup.locator(".itp-sup-message", has_text=re.compile(r"^Released [1-9]")).wait_for()
    screenshot(sup, "hub-supervisor-released")

    # ana sees the released comment when she opens her plan again.
    open_page(ana, hub, "ana", "pages/trainee_workspace.ipynb", ".itp-case-picker select")
    pick(ana, ".itp-case-picker", case_title)
    ana.locator("button.itp-open-case").click()
    ana.locator(".itp-feedback-body", has_text=COMMENT).first.wait_for(state="attached")
    ana.locator(".itp-feedback-summary", has_text=re.compile(r"^1 new comment")).wait_for(state="attached")
    screenshot(ana, "hub-trainee-sees-feedback")

    # ben, from his own kernel, with raw SQL over his own URL: his own drafts, nothing of ana's.
    seen = run_probe(ben, hub, "ben")
    assert seen["role"] == names.user("ben")
    assert seen["own_drafts"] >= 1  # the probe can read: ben's demo draft
    assert (seen["ana_drafts"], seen["ana_coursework"], seen["annotations"]) == (0, 0, 0)
    assert seen["hub_secrets"] == []

    # A workshop on the same hub: ana and ben join and draft; while drafting, ben reads nothing of ana's.
    store = PlanStore.open(hub.admin_url)
    try:
        cohort = next(c for c in store.list_cohorts(actor="director") if c.name == "Demo cohort")
        case_id = next(iter(load_case_library()))
        workshop = store.create_workshop(
            case_id, title="Hub workshop", cohort_id=cohort.id, actor="dr.okafor"
        )
        for trainee in ("ana", "ben"):
            draft = store.join_workshop(workshop.join_code, actor=trainee)
            title = ANA_WORKSHOP_PLAN if trainee == "ana" else "Ben's workshop plan"
            plan = store.blank_plan(draft.id, actor=trainee).model_copy(update={"title": title})
            store.save_revision(draft.id, plan, based_on=0, actor=trainee)
        blind = run_probe(ben, hub, "ben")
        assert blind["ana_workshop"] == 0 and blind["ana_drafts"] == 0
        # Once the facilitator opens review, the same probe sees ana's workshop draft: RLS was the wall.
        store.open_review(workshop.id, actor="dr.okafor")
        review = run_probe(ben, hub, "ben")
        assert review["ana_workshop"] == 1 and review["ana_drafts"] == 1 and review["ana_coursework"] == 0
    finally:
        store.close()

    # itp people sync-hub over the hub's REST API (the itp-sync service's read-only token): the people who
    # have not signed in yet get their database roles; a second run finds nothing to do.
    sync = [
        sys.executable,
        "-m",
        "itp_toolkit",
        "people",
        "sync-hub",
        f"--hub-url=http://127.0.0.1:{hub.hub_port}/hub/api",
        f"--token-file={hub.state / 'sync-token'}",
        f"--database-url={hub.admin_url}",
        "--as=director",
        f"--prefix={hub.prefix}",
    ]
    first = subprocess.run(sync, capture_output=True, text=True, timeout=120, env=_itp_env())
    assert first.returncode == 0, first.stderr
    assert {line for line in first.stdout.splitlines() if line.startswith("database role for")} == {
        f"database role for {u}" for u in ("chen", "dee", "director", "dr.lind")
    }
    second = subprocess.run(sync, capture_output=True, text=True, timeout=120, env=_itp_env())
    assert "nothing to change" in second.stdout, second.stdout + second.stderr

    # The projector board: a hub service for supervisors, with its own read-only role and nothing of the
    # hub's secrets; a trainee is turned away.
    board = hub.board_pid()
    assert board is not None
    board_env = environ_of(board)
    assert board_env["ITP_DATABASE_URL"].split("://", 1)[1].startswith(f"{names.user('projector')}@")
    assert "ITP_HUB_ADMIN_URL" not in board_env and "CONFIGPROXY_AUTH_TOKEN" not in board_env
    refused = ben.goto(f"{hub.url}/services/projector/", wait_until="commit")
    assert refused is not None and refused.status == 403
    sup.goto(f"{hub.url}/services/projector/", wait_until="commit")
    pick(sup, ".itp-progress-picker", "Hub workshop")
    sup.locator(".itp-progress-holder", has_text=ANA_LABEL).wait_for()
    screenshot(sup, "hub-projector-board")
    for context in (ana_ctx, sup_ctx, ben_ctx):
        context.close()
