"""Critique benchmark: precision/recall on the labelled fixtures, per rule family, and latency on a
10-problem plan (the critique runs on every edit, so the goal is under 20 ms at the 95th percentile).

Run: ``python benchmarks/bench_critique.py [--runs 500] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._results import Report, add_json_option  # noqa: E402
from itp_toolkit.checks import FAMILIES, critique  # noqa: E402
from itp_toolkit.formats.files import load_case, load_plan  # noqa: E402

GOAL_P95_MS = 20.0
FIXTURES = ROOT / "tests" / "fixtures" / "critique"


def accuracy(report: Report) -> None:
    tp, fp, fn = Counter(), Counter(), Counter()
    for sidecar in sorted(FIXTURES.glob("*.expected.yaml")):
        spec = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
        plan = load_plan(sidecar.with_name(sidecar.name.replace(".expected", "")))
        case = load_case(ROOT / "case_studies" / f"{spec['case']}.yaml")
        got = {
            (f.rule, f.element_id)
            for f in critique(plan, case, week=spec.get("week"))
            if f.severity != "info"
        }
        expected = {(e["rule"], e["element"]) for e in spec["expected"]}
        for rule, _ in got & expected:
            tp[rule.split(".")[0]] += 1
        for rule, _ in got - expected:
            fp[rule.split(".")[0]] += 1
        for rule, _ in expected - got:
            fn[rule.split(".")[0]] += 1
    print(f"{'family':12} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8}")
    for family in (*FAMILIES, "all"):
        t = sum(tp.values()) if family == "all" else tp[family]
        p = sum(fp.values()) if family == "all" else fp[family]
        n = sum(fn.values()) if family == "all" else fn[family]
        prec = f"{t / (t + p):.2f}" if t + p else "-"
        rec = f"{t / (t + n):.2f}" if t + n else "-"
        print(f"{family:12} {t:4} {p:4} {n:4} {prec:>10} {rec:>8}")
    t, p, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    labels = f"{t} TP, {p} FP, {n} FN on the labelled fixtures; the labels are ours"
    report.add("precision, all rule families", t / (t + p) if t + p else None, note=labels)
    report.add("recall, all rule families", t / (t + n) if t + n else None, note=labels)


def ten_problem_plan():
    """The veteran case's reference plan with its problems repeated (fresh ids) to ten problems."""
    case = load_case(ROOT / "case_studies" / "case-veteran-ptsd-alcohol.yaml")
    base = case.reference_plan
    data = base.model_dump(mode="json")
    problems = []
    n = 0
    while len(problems) < 10:
        for problem in base.model_dump(mode="json")["problems"]:
            if len(problems) == 10:
                break
            n += 1
            problems.append(_renumber(problem, n))
    data["problems"] = problems
    return type(base).model_validate(data), case


def _renumber(node, n):
    if isinstance(node, dict):
        return {k: (f"{v}-{n}" if k == "id" else _renumber(v, n)) for k, v in node.items()}
    if isinstance(node, list):
        return [_renumber(v, n) for v in node]
    return node


def latency(runs: int, report: Report) -> None:
    plan, case = ten_problem_plan()
    critique(plan, case)  # warm the per-case index and text caches, as a live editor would be
    samples = []
    for i in range(runs):
        # Each run edits one objective, as a keystroke would, so cached text is not the whole story.
        plan.problems[i % 10].goals[0].objectives[0].description = f"Edited objective text, keystroke {i}"
        start = time.perf_counter()
        critique(plan, case, week=6)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    elements = sum(1 for _ in plan.elements())
    p95 = samples[int(0.95 * len(samples)) - 1]
    print(
        f"\nlatency, 10-problem plan ({elements} elements), {runs} runs: median {statistics.median(samples):.2f} ms, "
        f"p95 {p95:.2f} ms, max {samples[-1]:.2f} ms (goal: p95 < 20 ms)"
    )
    where = f"10-problem plan ({elements} elements), {runs} edits"
    report.add("latency median", statistics.median(samples), "ms", note=where)
    report.add(
        "latency p95", p95, "ms", f"< {GOAL_P95_MS:g} ms", p95 < GOAL_P95_MS, note=f"max {samples[-1]:.1f} ms"
    )
    cold = []
    for _ in range(20):
        fresh = case.model_copy(deep=True)
        start = time.perf_counter()
        critique(plan, fresh, week=6)
        cold.append((time.perf_counter() - start) * 1000)
    print(f"first run on a new case object (index rebuilt): median {statistics.median(cold):.2f} ms")
    report.add("first run on a new case (index rebuilt), median", statistics.median(cold), "ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=500)
    add_json_option(parser)
    args = parser.parse_args()
    results = Report("critique")
    accuracy(results)
    latency(args.runs, results)
    results.write(args.json)
