"""Screenshots of every page in every state, at 1280x720 and 1440x900: ``./dev.sh screenshots``.

Builds the audit's demo workspace in a temporary folder, serves it exactly as ``itp serve`` does, walks the
page states of ``tests/browser/page_states.py`` (the same ones the page audit checks) and writes
``<state>-<size>.png`` (what a person sees without scrolling) into the output folder, docs/screenshots/ by
default. Run it with the project's Python from the repository root: ``python -m tests.browser.screenshots``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.browser.page_states import PAGE_STATES, build_audit_workspace, visit
from tests.browser.servers import ServeServer
from tests.browser.site import REPO


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", default=[], help="state names (default: every state)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    states = [s for s in PAGE_STATES if not args.only or s.name in args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    with tempfile.TemporaryDirectory(prefix="itp-shots-") as tmp:
        root = Path(tmp)
        site = build_audit_workspace(root / "demo")
        with ServeServer(site.workspace, root) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context()
            context.set_default_timeout(TIMEOUT_MS)
            try:
                for state, size, pg, error in visit(context, server, site, states):
                    path = args.out / f"{state.name}-{size}.png"
                    pg.screenshot(path=str(path))
                    if error is not None:
                        failed.append(state.name)
                        print(f"{path.name}: the page did not reach its state: {error}", file=sys.stderr)
                    else:
                        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
            finally:
                context.close()
                browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
