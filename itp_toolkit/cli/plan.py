"""``itp plan validate|export|import``: plan files in and out of the toolkit."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputProblem, InvalidInput
from ..formats.files import MAX_FILE_BYTES, dump_json, dump_yaml, load_case, load_plan
from ..formats.markdown import plan_to_markdown
from ..model import CaseStudy, TreatmentPlan


def register(sub) -> None:
    p = sub.add_parser("plan", help="validate, import or export treatment plans")
    psub = p.add_subparsers(dest="plan_command", metavar="ACTION")
    psub.required = True

    v = psub.add_parser("validate", help="check plan files against the schema (and their case, with --case)")
    v.add_argument("paths", nargs="+", type=Path)
    v.add_argument("--case", help="case id or path: also check that linked case facts exist")
    v.set_defaults(handler=run_validate)

    e = psub.add_parser("export", help="write a plan as YAML, JSON, printable Markdown or a FHIR R4B Bundle")
    src = e.add_mutually_exclusive_group(required=True)
    src.add_argument("--file", type=Path, help="a plan file")
    src.add_argument("--draft", type=int, help="a draft id in the workspace store")
    e.add_argument("--revision", type=int, help="with --draft: this revision (default: latest)")
    e.add_argument(
        "--workspace", type=Path, default=None, help="workspace directory (default: $ITP_WORKSPACE or .)"
    )
    e.add_argument("--as-user", dest="as_user", help="act as this person (default: the workspace user)")
    e.add_argument("--format", choices=["yaml", "json", "markdown", "fhir"], default="yaml")
    e.add_argument("--case", help="case id or path, to name linked facts in Markdown")
    e.add_argument("--out", type=Path, help="write here instead of standard output")
    e.set_defaults(handler=run_export)

    i = psub.add_parser(
        "import", help="save a plan file (YAML, JSON or FHIR Bundle) as a new revision of a draft"
    )
    i.add_argument(
        "path", type=Path, help="a plan file, or a FHIR R4B Bundle made by 'itp plan export --format fhir'"
    )
    i.add_argument("--workspace", type=Path, default=None)
    i.add_argument(
        "--as-user", dest="as_user", help="the trainee whose draft it is (default: the workspace user)"
    )
    i.set_defaults(handler=run_import)


def resolve_case(ref: str) -> CaseStudy:
    """A case by file path or by id in the case library."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml", ".json") or path.exists():
        return load_case(path)
    from ..library.cases import get_case

    return get_case(ref)


def case_reference_problems(plan: TreatmentPlan, case: CaseStudy, source: str) -> list[InputProblem]:
    """Links to case facts that do not exist, and a plan written for another case."""
    problems = []
    if plan.case_id != case.id:
        problems.append(
            InputProblem(f"plan is for {plan.case_id!r}, not {case.id!r}", field="case_id", file=source)
        )
    known = {f.id for f in case.facts()}
    for fact_id in sorted(plan.linked_fact_ids() - known):
        problems.append(
            InputProblem(f"links to {fact_id!r}, which is not a fact of case {case.id!r}", file=source)
        )
    return problems


def run_validate(args) -> int:
    case = resolve_case(args.case) if args.case else None
    problems: list[InputProblem] = []
    for path in args.paths:
        try:
            plan = load_plan(path)
        except InvalidInput as exc:
            problems += exc.problems
            continue
        if case is not None:
            problems += case_reference_problems(plan, case, str(path))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {len(args.paths)} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {len(args.paths)} plan file(s) valid")
    return 0


def _render(plan: TreatmentPlan, fmt: str, case: CaseStudy | None) -> str:
    if fmt == "json":
        return dump_json(plan) + "\n"
    if fmt == "markdown":
        return plan_to_markdown(plan, case)
    if fmt == "fhir":
        from ..formats.fhir import plan_to_fhir_bundle

        return json.dumps(plan_to_fhir_bundle(plan, case), indent=2, ensure_ascii=False) + "\n"
    return dump_yaml(plan)


def run_export(args) -> int:
    if args.file is not None:
        plan = load_plan(args.file)
    else:
        from ..services.workspace import Workspace

        ws = Workspace.open(args.workspace)
        actor = args.as_user or ws.user
        plan = ws.store().get_revision(args.draft, args.revision, actor=actor)
    case = resolve_case(args.case) if args.case else None
    text = _render(plan, args.format, case)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def load_plan_or_bundle(path: Path) -> TreatmentPlan:
    """A plan file, or a FHIR Bundle (JSON with ``"resourceType": "Bundle"``) holding one."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return load_plan(path)  # refused, located, by the plan loader
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return load_plan(path)  # the plan loader reports missing and non-UTF-8 files, located
    if '"resourceType"' in text:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict) and data.get("resourceType") == "Bundle":
            from ..formats.fhir import fhir_bundle_to_plan

            return fhir_bundle_to_plan(data, source=str(path))
    return load_plan(path)


def run_import(args) -> int:
    from ..services.workspace import Workspace

    plan = load_plan_or_bundle(args.path)
    ws = Workspace.open(args.workspace)
    actor = args.as_user or ws.user
    store = ws.store()
    draft = store.start_draft(plan.case_id, actor=actor)
    info = store.save_revision(draft.id, plan, based_on=draft.latest_revision, actor=actor)
    print(f"saved {args.path} as revision {info.number} of draft {draft.id} ({actor}, {plan.case_id})")
    return 0
