"""The benchmark runner (benchmarks/run_all.py) on synthetic benchmark scripts and results files: the JSON it
collects, the one table, the Markdown, the README block between the markers, and that a skipped or crashed
benchmark is a row with its reason. No real benchmark runs here and no timing is asserted."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from benchmarks import run_all
from benchmarks._results import MET, MISSED, NO_GOAL, RATIO, Report

MACHINE = {"date": "2026-01-01 00:00 UTC", "CPU": "Test CPU, 2 cores", run_all.LOAD: "0.1/0.2/0.3 at start"}


def _report(tmp_path: Path) -> Path:
    report = Report("demo")
    report.add("p95", 12.345, "ms", "< 20 ms", True, note="500 runs")
    report.add("ratio trainee/bare", 1.5, RATIO, "≤ 1.3×", False)
    report.add("lost revisions", 0, "", "0", True)
    report.add("nothing measured", float("nan"), "s", note="no save succeeded")
    report.skip("PostgreSQL", "connection refused")
    path = tmp_path / "demo.json"
    report.write(path)
    return path


def test_a_results_file_round_trips_and_shows_units(tmp_path):
    back = Report.read(_report(tmp_path))
    assert [f.verdict for f in back.figures] == [MET, MISSED, MET, NO_GOAL]
    assert [f.shown() for f in back.figures] == ["12.3 ms", "1.50×", "0", "none"]
    assert back.skipped == [{"what": "PostgreSQL", "reason": "connection refused"}]
    Report("unused").write(None)  # without --json a script writes nothing


def test_collect_reads_figures_and_partial_skips(tmp_path):
    outcome = run_all.collect("demo", 0, _report(tmp_path), tmp_path / "demo.log", 3.0, ["--runs", "5"])
    assert outcome.status == run_all.OK
    table = run_all.rows([outcome])
    assert table[0] == ("demo", "p95", "12.3 ms", "< 20 ms", MET, "500 runs")
    assert table[-1] == ("", "PostgreSQL", "skipped", NO_GOAL, "skipped", "connection refused")


@pytest.mark.parametrize(
    "code, content, expected",
    [
        (3, None, "exit code 3: ValueError: boom"),
        (None, None, "timed out after 60 s"),
        (0, None, "wrote no usable results"),
        (0, "{not json", "wrote no usable results"),
        (0, json.dumps({"schema": 99}), "not a schema-1"),
        (0, json.dumps({"schema": 1, "benchmark": "x", "figures": [], "skipped": []}), "reported no figures"),
    ],
)
def test_a_crash_is_a_row_with_its_reason(tmp_path, code, content, expected):
    log = tmp_path / "x.log"
    log.write_text("Traceback (most recent call last):\n  ...\nValueError: boom\n\n")
    results = tmp_path / "x.json"
    if content is not None:
        results.write_text(content)
    outcome = run_all.collect("x", code, results, log, 1.0, [], timeout=60)
    assert outcome.status == run_all.CRASHED
    [row] = run_all.rows([outcome])
    assert row[:5] == ("x", "whole benchmark", "crashed", NO_GOAL, "crashed")
    assert expected in row[5] and str(log) in row[5]


def test_a_whole_benchmark_skip_is_a_row_not_a_crash(tmp_path):
    report = Report("browser")
    report.skip("whole benchmark", "/usr/bin/chromium is missing")
    report.write(tmp_path / "b.json")
    outcome = run_all.collect("browser", 0, tmp_path / "b.json", tmp_path / "b.log", 0.5, [])
    assert outcome.status == run_all.SKIPPED
    assert run_all.rows([outcome]) == [
        ("browser", "whole benchmark", "skipped", NO_GOAL, "skipped", "/usr/bin/chromium is missing")
    ]


def test_text_and_markdown_tables(tmp_path):
    ok = run_all.collect("demo", 0, _report(tmp_path), tmp_path / "d.log", 3.0, ["--runs", "5"])
    broken = run_all.Outcome("other", run_all.CRASHED, 2.0, reason="exit code 1: a | b")
    text = run_all.text_report([ok, broken], MACHINE, quick=True)
    assert text.startswith(run_all.QUICK_BANNER)
    assert "Test CPU, 2 cores" in text and "sizes: QUICK (demo --runs 5; other (its defaults))" in text
    header = next(line for line in text.splitlines() if line.startswith("benchmark"))
    assert header.split() == list(run_all.HEADER)
    assert "crashed" in text and "exit code 1: a | b" in text

    md = run_all.markdown_report([ok, broken], MACHINE, quick=False)
    assert run_all.QUICK_BANNER not in md and "sizes: each benchmark's defaults" in md
    lines = md.splitlines()
    assert lines[0] == "| benchmark | figure | value | goal | verdict | details |"
    assert "| demo | p95 | 12.3 ms | < 20 ms | met | 500 runs |" in lines
    assert "| other | whole benchmark | crashed | — | crashed | exit code 1: a \\| b |" in lines
    assert "date: 2026-01-01 00:00 UTC; CPU: Test CPU, 2 cores" in md


def test_readme_block_is_replaced_between_the_markers_only():
    start, end = run_all.START, run_all.END
    text = f"intro\n{start}\nold table\n{end}\nrest\n"
    assert run_all.replace_marked(text, "\nnew table\n") == f"intro\n{start}\nnew table\n{end}\nrest\n"
    for bad in ("no markers", f"{end}\n{start}", f"{start}{start}{end}"):
        with pytest.raises(ValueError):
            run_all.replace_marked(bad, "x")
    readme = run_all.README.read_text(encoding="utf-8")
    replaced = run_all.replace_marked(readme, "TABLE")
    assert replaced.split(run_all.START)[0] == readme.split(run_all.START)[0]
    assert replaced.split(run_all.END)[1] == readme.split(run_all.END)[1]


SCRIPTS = {
    "bench_good.py": """
        report = {"schema": 1, "benchmark": "good", "skipped": [],
                  "figures": [{"figure": "speed", "value": 2.5, "unit": "s", "goal": "< 3 s",
                               "verdict": "met", "note": f"args {sys.argv[1:-2]}"}]}
        Path(out).write_text(json.dumps(report))
    """,
    "bench_noserver.py": """
        report = {"schema": 1, "benchmark": "noserver", "figures": [],
                  "skipped": [{"what": "whole benchmark", "reason": "no server here"}]}
        Path(out).write_text(json.dumps(report))
    """,
    "bench_broken.py": """
        raise RuntimeError("the benchmark fell over")
    """,
}


@pytest.fixture
def bench_dir(tmp_path):
    folder = tmp_path / "benches"
    folder.mkdir()
    head = "import json, sys\nfrom pathlib import Path\nout = sys.argv[sys.argv.index('--json') + 1]\n"
    for name, body in SCRIPTS.items():
        (folder / name).write_text(head + textwrap.dedent(body))
    return folder


@pytest.fixture
def fake_machine(monkeypatch):
    monkeypatch.setattr(run_all, "machine_facts", lambda url: dict(MACHINE))


def test_main_runs_each_script_and_fails_only_on_a_crash(bench_dir, tmp_path, fake_machine, capsys):
    md = tmp_path / "out.md"
    code = run_all.main(["--markdown", str(md), "--logs", str(tmp_path / "logs")], folder=bench_dir)
    out = capsys.readouterr().out
    assert code == 1
    assert "RuntimeError: the benchmark fell over" in out and "no server here" in out
    text = md.read_text()
    assert "| good | speed | 2.50 s | < 3 s | met | args [] |" in text
    assert "| noserver | whole benchmark | skipped | — | skipped | no server here |" in text
    assert "| broken | whole benchmark | crashed |" in text
    assert (tmp_path / "logs" / "good.json").exists()

    assert run_all.main(["--only", "good", "noserver", "--logs", str(tmp_path / "l2")], folder=bench_dir) == 0
    assert "broken" not in capsys.readouterr().out.split("machine:")[1]


def test_update_readme_only_after_a_full_run_without_crashes(bench_dir, tmp_path, fake_machine, monkeypatch):
    readme = tmp_path / "README.md"
    original = f"# x\n{run_all.START}\nold\n{run_all.END}\n"
    readme.write_text(original)
    monkeypatch.setattr(run_all, "README", readme)
    for refused in (["--quick"], ["--only", "good"]):
        with pytest.raises(SystemExit):
            run_all.main(["--update-readme", *refused], folder=bench_dir)
    assert run_all.main(["--update-readme", "--logs", str(tmp_path / "a")], folder=bench_dir) == 1
    assert readme.read_text() == original  # a crash leaves the last good table in place
    (bench_dir / "bench_broken.py").unlink()
    assert run_all.main(["--update-readme", "--logs", str(tmp_path / "b")], folder=bench_dir) == 0
    text = readme.read_text()
    assert "old" not in text and "| good | speed | 2.50 s |" in text and "Test CPU, 2 cores" in text
    assert text.startswith(f"# x\n{run_all.START}\n| benchmark |") and text.endswith(f"{run_all.END}\n")


def test_a_hung_benchmark_is_stopped_and_shown_as_crashed(tmp_path):
    script = tmp_path / "bench_hang.py"
    script.write_text("import time\ntime.sleep(600)\n")
    outcome = run_all.run_one("hang", script, [], [], tmp_path, timeout=0.3)
    assert outcome.status == run_all.CRASHED and "timed out after 0.3 s" in outcome.reason


def test_machine_facts_say_when_postgres_does_not_answer():
    facts = run_all.machine_facts("postgresql+psycopg://postgres@127.0.0.1:1/none")
    assert facts["PostgreSQL"].startswith("not reachable at 127.0.0.1:1")
    assert {"date", "CPU", "RAM", run_all.LOAD, "OS", "Python", "Chromium", "commit"} <= set(facts)


def test_the_real_benchmarks_are_found_in_the_issues_order_and_all_write_json():
    found = run_all.discover()
    assert list(found)[: len(run_all.ORDER)] == run_all.ORDER
    for name, script in found.items():  # read, not run: the real benchmarks never run in the test suite
        source = script.read_text(encoding="utf-8")
        assert "add_json_option(parser)" in source and ".write(args.json)" in source, name
    assert set(run_all.QUICK) <= set(found)
