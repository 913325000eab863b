"""``itp review export-report``, ``itp rubric show|validate``: supervision from the shell (``itp scores`` is
in ``scores.py``).

They act for the workspace's user (``$JUPYTERHUB_USER`` under a hub), through the same store checks as the
pages: a trainee cannot export another trainee's report.
"""

from __future__ import annotations

from pathlib import Path

from ..checks.rubrics import DEFAULT_RUBRIC_PATH, load_checked_rubric
from ..errors import ITPError, NotFound


def register(sub) -> None:
    review = sub.add_parser("review", help="supervision: feedback reports")
    rsub = review.add_subparsers(dest="review_command", metavar="ACTION")
    rsub.required = True
    p = rsub.add_parser("export-report", help="write a draft's feedback report (HTML or Markdown)")
    p.add_argument("--draft", type=int, required=True, help="draft id")
    p.add_argument("--out", type=Path, required=True, help="output file: .html (self-contained) or .md")
    p.add_argument("--all-feedback", action="store_true", help="include feedback not yet released")
    p.add_argument("--rubric", type=Path, default=None, help="rubric YAML (default: the 12-criterion rubric)")
    p.add_argument("--workspace", type=Path, default=None)
    p.set_defaults(handler=export_report)

    rubric = sub.add_parser("rubric", help="show or check a rubric")
    rsub = rubric.add_subparsers(dest="rubric_command", metavar="ACTION")
    rsub.required = True
    p = rsub.add_parser("show", help="print a rubric's criteria and levels")
    p.add_argument("path", nargs="?", type=Path, default=DEFAULT_RUBRIC_PATH)
    p.set_defaults(handler=show_rubric)
    p = rsub.add_parser("validate", help="check a rubric file (shape and related rules)")
    p.add_argument("path", type=Path)
    p.set_defaults(handler=validate_rubric)


def _workspace(path: Path | None):
    from ..services.workspace import Workspace

    return Workspace.open(path)


def export_report(args) -> int:
    from ..views.reports import gather_report, report_html, report_markdown

    if args.out.suffix.lower() not in (".html", ".htm", ".md"):
        raise ITPError(f"{args.out}: the report is written as .html or .md")
    ws = _workspace(args.workspace)
    store, user = ws.store(), ws.user
    rubric = load_checked_rubric(args.rubric or DEFAULT_RUBRIC_PATH)
    summary = store.get_draft(args.draft, actor=user)
    cases = ws.load_cases()
    if summary.case_id not in cases:
        raise NotFound(
            f"draft {args.draft} is for case {summary.case_id!r}, which is not in the case library"
        )
    report = gather_report(
        store,
        args.draft,
        case=cases[summary.case_id],
        rubric=rubric,
        actor=user,
        released_only=not args.all_feedback,
    )
    text = report_markdown(report) if args.out.suffix.lower() == ".md" else report_html(report)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(report.annotations)} comments, {len(report.scores)} scores)")
    return 0


def show_rubric(args) -> int:
    rubric = load_checked_rubric(args.path)
    print(f"{rubric.title} ({rubric.id}); competent at {rubric.competent_at} or more")
    for n, c in enumerate(rubric.criteria, start=1):
        print(f"\n{n}. {c.title} [{c.id}]: {c.description}")
        for level in sorted(c.levels, key=lambda lv: lv.score):
            print(f"   {level.score}  {level.descriptor}")
        if c.related_rules:
            print(f"   evidence from: {', '.join(c.related_rules)}")
    return 0


def validate_rubric(args) -> int:
    rubric = load_checked_rubric(args.path)
    print(f"{args.path}: OK, {len(rubric.criteria)} criteria")
    return 0
