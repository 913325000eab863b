"""``itp report progress``: competency progress per trainee and per cohort, as HTML or CSV.

HTML: one self-contained page (no scripts, no network): the cohort's levels per criterion, then each
trainee's plot and table over their scored revisions. CSV: the long table (one row per trainee, scored
revision and criterion). Acts as the workspace's user through the store's rules: a supervisor reports on
their own cohorts' trainees, a trainee on themselves (released scores only).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from ..errors import InputProblem, InvalidInput
from .people import open_store, store_options, workspace_cases


def register(sub) -> None:
    p = sub.add_parser("report", help="reports over many drafts: competency progress")
    rsub = p.add_subparsers(dest="report_command", metavar="REPORT")
    rsub.required = True
    s = rsub.add_parser("progress", help="rubric levels per criterion over cases and revisions")
    s.add_argument("--format", choices=("html", "csv"), default="html")
    s.add_argument("--cohort", help="only this cohort's trainees")
    s.add_argument("--trainee", help="only this trainee")
    s.add_argument("--case", dest="case_id", help="only this case id")
    s.add_argument("--released-only", action="store_true", help="only scores released to the trainees")
    s.add_argument("--rubric", type=Path, default=None, help="rubric YAML (default: the 12-criterion rubric)")
    s.add_argument("--out", type=Path, default=None, help="output file (default: standard output)")
    store_options(s)
    s.set_defaults(handler=run_progress)


def gather(args):
    """(points, rubric, case titles, cohort) for the filters in ``args``; shared with ``itp scores``."""
    from ..checks.rubrics import DEFAULT_RUBRIC_PATH, load_checked_rubric

    rubric = load_checked_rubric(args.rubric or DEFAULT_RUBRIC_PATH)
    store, actor = open_store(args)
    try:
        cases = workspace_cases(args)
        cohort = store.find_cohort(args.cohort, actor=actor) if args.cohort else None
        filters = {
            "trainee": getattr(args, "trainee", None),
            "cohort_id": cohort.id if cohort else None,
            "case_id": args.case_id,
        }
        points = store.score_history(**filters, released_only=args.released_only, actor=actor)
        statuses = store.plan_statuses(**filters, actor=actor)
        sections: dict[str, list[str]] = {}
        for c in store.list_cohorts(actor=actor):
            if cohort is not None and c.id != cohort.id:
                continue
            for m in store.list_cohort_members(c.id, actor=actor):
                sections.setdefault(m.username, []).append(c.name)
    finally:
        store.close()
    titles = {case_id: case.title for case_id, case in cases.items()}
    return points, statuses, rubric, titles, cohort, sections


def write_text(text: str, out: Path | None, what: str) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput([InputProblem(f"cannot write it: {exc.strerror}", file=str(out))]) from None
    print(f"wrote {what} to {out}")


def run_progress(args) -> int:
    from ..views.progress import progress_csv_frame, progress_report_html

    points, _, rubric, titles, cohort, _ = gather(args)
    if args.format == "csv":
        frame = progress_csv_frame(points, rubric, titles)
        write_text(frame.to_csv(index=False), args.out, f"{len(frame)} rows")
        return 0
    title = f"Competency progress: {cohort.name}" if cohort else "Competency progress"
    html = progress_report_html(points, rubric, titles, title=title, generated=dt.datetime.now(dt.UTC))
    write_text(html, args.out, f"the progress of {len({p.trainee for p in points})} trainees")
    return 0
