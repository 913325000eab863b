"""Cohort review at scale: load + compare + first render for 50, 200 and 1,000 synthetic drafts.

Drafts are made by perturbing the library's reference plans (problems reordered, statements reworded,
interventions and strengths dropped at random), saved to a fresh SQLite store, then timed:

- load:     the cohort's drafts with their latest plans in one store read (``PlanStore.latest_plans``,
            what the page does on "Show drafts");
- compare:  the choices table, the similarity matrix and a side-by-side of two drafts;
- render:   the cohort table HTML and the heatmap PNG (the first render of the cohort tab);
- indiv.:   individualization scores for the histogram (reported apart: it runs the critique's scorer).

Each size is built once and timed 3 times (median CPU seconds of this process shown). Before each repeat the
text caches
(content words, character n-grams, modality names) are emptied, so a repeat is not helped by the one
before; the intervention library is loaded once before any timing (a once-per-kernel cost).
Goal: load + compare + render for 1,000 drafts under 1 s, growing roughly linearly (the growth column
is time per draft at this size over time per draft at the previous size: 1.0 is linear; the verdict
takes "roughly" as at most 1.25). Run:
``.venv/bin/python benchmarks/bench_cohort.py [sizes...] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._results import RATIO, Report, add_json_option  # noqa: E402
from itp_toolkit.compare.alignment import char_ngrams, content_words, side_by_side  # noqa: E402
from itp_toolkit.compare.cohort import (  # noqa: E402
    CohortDraft,
    canonical_modality,
    choices_frame,
    cohort_table,
    individualization_frame,
    similarity_heatmap,
    similarity_matrix,
)
from itp_toolkit.library.cases import load_case_library  # noqa: E402
from itp_toolkit.library.vocabulary import load_vocabulary  # noqa: E402
from itp_toolkit.model import TreatmentPlan  # noqa: E402
from itp_toolkit.store import PlanStore  # noqa: E402
from itp_toolkit.views.measures import figure_png  # noqa: E402
from itp_toolkit.widgets.supervisor import frame_html  # noqa: E402

WORDS = ["really", "often", "at night", "during lectures", "most days", "with her roommate", "before exams"]


def perturb(plan: TreatmentPlan, rng: random.Random, n: int) -> TreatmentPlan:
    p = plan.model_copy(deep=True)
    p.id = f"plan-bench-{n}"
    rng.shuffle(p.problems)
    for problem in p.problems:
        problem.statement = f"{problem.statement} {rng.choice(WORDS)}"
        if rng.random() < 0.3:
            problem.concern_ids = []
        for goal in problem.goals:
            for objective in goal.objectives:
                if len(objective.interventions) > 1 and rng.random() < 0.3:
                    objective.interventions.pop(rng.randrange(len(objective.interventions)))
    if p.strengths_used and rng.random() < 0.5:
        p.strengths_used.pop(rng.randrange(len(p.strengths_used)))
    return p


def build(store: PlanStore, case_id: str, reference: TreatmentPlan, n: int, rng: random.Random) -> int:
    store.ensure_admin("admin", "Admin")
    store.add_person("dr.bench", "Dr. Bench", "supervisor", actor="admin")
    cohort = store.add_cohort("Bench", actor="admin").id
    store.add_to_cohort(cohort, "dr.bench", actor="admin")
    store.assign_case(case_id, cohort_id=cohort, actor="admin")
    for i in range(n):
        user = f"t{i:04d}"
        store.add_person(user, user, "trainee", actor="admin")
        store.add_to_cohort(cohort, user, actor="admin")
        draft = store.start_draft(case_id, actor=user)
        store.save_revision(draft.id, perturb(reference, rng, i), based_on=0, actor=user)
    return cohort


REPEATS = 3
clock = time.process_time
"""CPU seconds of this process: the machine is shared, and wall time moved 2-3x with other jobs' load."""
PARTS = ("load", "compare", "render", "indiv")
GOAL_DRAFTS, GOAL_SECONDS = 1000, 1.0
GOAL_GROWTH = 1.25
"""Time per draft may grow this much from one size to the next and still count as roughly linear."""


def time_once(store: PlanStore, case_id: str, cohort: int) -> dict[str, float]:
    case = load_case_library()[case_id]
    for cache in (content_words, char_ngrams, canonical_modality):
        cache.cache_clear()
    t0 = clock()
    drafts = [
        CohortDraft(s.id, s.owner, plan, s.latest_revision, s.status)
        for s, plan in store.latest_plans(case_id=case_id, cohort_id=cohort, actor="dr.bench")
    ]
    t1 = clock()
    choices = choices_frame(drafts, case, anonymized=True)
    table = cohort_table(drafts, case, anonymized=True, choices=choices)
    matrix = similarity_matrix(drafts, case, anonymized=True, choices=choices)
    side_by_side({"A": drafts[0].plan, "B": drafts[1].plan}, reference=case.reference_plan)
    t2 = clock()
    trainees = [c for c in table.columns if c.startswith("Trainee ")]
    frame_html(table, ["category", "label", *trainees, "count", "consensus"], cls="t")
    figure_png(similarity_heatmap(matrix))
    t3 = clock()
    individualization_frame(drafts, case)
    t4 = clock()
    return {"load": t1 - t0, "compare": t2 - t1, "render": t3 - t2, "indiv": t4 - t3}


def run(n: int, repeats: int = REPEATS) -> dict[str, float]:
    """Median seconds of each part over ``repeats`` timings of one store of ``n`` drafts."""
    case = load_case_library()["case-college-anxiety"]
    assert case.reference_plan is not None
    rng = random.Random(n)
    with tempfile.TemporaryDirectory() as tmp:
        store = PlanStore.open(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        cohort = build(store, case.id, case.reference_plan, n, rng)
        runs = [time_once(store, case.id, cohort) for _ in range(repeats)]
        store.close()
    out = {part: statistics.median(r[part] for r in runs) for part in PARTS}
    out["total"] = statistics.median(r["load"] + r["compare"] + r["render"] for r in runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", help="cohort sizes to time (default: 50 200 1000)")
    add_json_option(parser)
    args = parser.parse_args()
    sizes = args.sizes or [50, 200, 1000]
    report = Report("cohort")
    # Once per kernel, paid before the supervisor's first click: compile the shared vocabulary and draw a
    # first figure (matplotlib sets itself up on it), so the first size timed does not carry them.
    load_vocabulary()
    figure_png(similarity_heatmap(pd.DataFrame([[1.0]], index=["A"], columns=["A"])))
    print(
        f"{'drafts':>7} {'load s':>8} {'compare s':>10} {'render s':>9} {'load+compare+render':>20} "
        f"{'indiv. s':>9}  growth per draft"
    )
    previous: tuple[int, float] | None = None
    for n in sizes:
        r = run(n)
        growth = ""
        ratio = (r["total"] / n) / (previous[1] / previous[0]) if previous else 0.0
        if previous:
            growth = (
                f"  x{ratio:.2f} per draft vs {previous[0]} (x{r['total'] / previous[1]:.1f} for "
                f"x{n / previous[0]:.0f} drafts)"
            )
        print(
            f"{n:>7} {r['load']:>8.3f} {r['compare']:>10.3f} {r['render']:>9.3f} {r['total']:>20.3f} "
            f"{r['indiv']:>9.3f}{growth}",
            flush=True,
        )
        at_goal = n == GOAL_DRAFTS
        report.add(
            f"load+compare+render, {n:,} drafts (CPU)",
            r["total"],
            "s",
            f"< {GOAL_SECONDS:g} s" if at_goal else "",
            r["total"] < GOAL_SECONDS if at_goal else None,
            note=f"load {r['load']:.3f}, compare {r['compare']:.3f}, render {r['render']:.3f}; "
            f"individualization {r['indiv']:.3f} s, timed apart",
        )
        if previous:
            report.add(
                f"growth of time per draft, {previous[0]:,} → {n:,} drafts",
                ratio,
                RATIO,
                f"≤ {GOAL_GROWTH}{RATIO} (roughly linear)",
                ratio <= GOAL_GROWTH,
                note=f"total ×{r['total'] / previous[1]:.1f} for ×{n / previous[0]:.0f} drafts",
            )
        previous = (n, r["total"])
    report.write(args.json)


if __name__ == "__main__":
    main()
