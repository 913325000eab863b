"""``itp scores export``: rubric scores for a gradebook.

``--format canvas`` writes the CSV layout Canvas's gradebook import takes (Student, ID, SIS User ID, SIS
Login ID, Section, then one column per assignment, one row per trainee, after a Points Possible row); a grade
is the sum of the levels of the newest revision scored on every criterion. ``--format csv`` writes the plain
long table (one row per trainee, scored revision and criterion). Both use released scores unless
``--include-unreleased``. ``--csv FILE`` (older form) writes every readable score row by row.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import InputProblem, InvalidInput
from .people import store_options


def register(sub) -> None:
    scores = sub.add_parser("scores", help="rubric scores: gradebook export")
    ssub = scores.add_subparsers(dest="scores_command", metavar="ACTION")
    ssub.required = True
    p = ssub.add_parser("export", help="scores as a Canvas gradebook CSV or a plain long CSV")
    p.add_argument("--format", choices=("canvas", "csv"), default=None)
    p.add_argument("--out", type=Path, default=None, help="output file (default: standard output)")
    p.add_argument("--cohort", help="only this cohort's trainees (and its name as the Section)")
    p.add_argument("--case", dest="case_id", default=None, help="only this case id")
    p.add_argument("--include-unreleased", action="store_true", help="also scores not yet released")
    p.add_argument("--rubric", type=Path, default=None, help="rubric YAML (default: the 12-criterion rubric)")
    p.add_argument("--csv", type=Path, default=None, help="(older form) every score you can read, row by row")
    store_options(p)
    p.set_defaults(handler=run_export)


def run_export(args) -> int:
    if args.csv is not None:
        if args.format is not None or args.out is not None:
            raise InvalidInput([InputProblem("give --csv FILE alone, or --format and --out", field="csv")])
        return _export_rows(args)
    from ..compare.progress import canvas_gradebook
    from ..views.progress import progress_csv_frame
    from .report import gather, write_text

    args.released_only = not args.include_unreleased
    points, statuses, rubric, titles, _, sections = gather(args)
    if (args.format or "csv") == "canvas":
        frame = canvas_gradebook(statuses, points, rubric, titles, sections)
        what = f"{len(frame) - 1} trainees x {len(frame.columns) - 5} assignments"
    else:
        frame = progress_csv_frame(points, rubric, titles)
        what = f"{len(frame)} rows"
    write_text(frame.to_csv(index=False, float_format="%g"), args.out, what)
    return 0


def _export_rows(args) -> int:
    """Every score the actor can read, one row per rater and criterion (the older ``--csv`` export)."""
    import pandas as pd

    from ..compare.agreement import scores_frame
    from .people import open_store

    store, user = open_store(args)
    try:
        frames = []
        for draft in store.list_drafts(case_id=args.case_id, actor=user):
            frame = scores_frame(store.list_scores(draft.id, actor=user))
            frame.insert(1, "trainee", draft.owner)
            frame.insert(2, "case_id", draft.case_id)
            frames.append(frame)
    finally:
        store.close()
    table = pd.concat(frames, ignore_index=True) if frames else scores_frame([])
    if str(args.csv) == "-":
        table.to_csv(sys.stdout, index=False)
    else:
        table.to_csv(args.csv, index=False)
        print(f"wrote {len(table)} scores to {args.csv}")
    return 0
