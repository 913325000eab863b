"""``itp critique PLAN --case ID_OR_PATH``: run the critique on a plan file, as text or JSON.

Exit status 1 when any finding is a problem (so CI or a pre-submit hook can stop a plan), else 0.
Trainee text is untrusted: control characters are removed before anything reaches the terminal.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from ..checks import FAMILIES, CritiqueConfig, critique, individualization_score
from ..errors import InputProblem, InvalidInput, NotFound, validation_errors
from ..formats.files import load_case, load_plan
from ..model import CaseStudy

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
REPO_ROOT = Path(__file__).resolve().parents[2]


def register(sub) -> None:
    p = sub.add_parser("critique", help="critique a treatment plan against its case")
    p.add_argument("plan", metavar="PLAN", help="plan file (YAML or JSON)")
    p.add_argument(
        "--case", required=True, metavar="ID_OR_PATH", help="case id in the library, or a case file"
    )
    p.add_argument(
        "--week", type=int, default=None, help="exercise week (default: the plan's written_at_week)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--disable",
        action="extend",
        nargs="+",
        default=[],
        metavar="RULE",
        help="rule id or family to leave out (repeatable)",
    )
    p.set_defaults(handler=run)


def find_case(id_or_path: str) -> CaseStudy:
    """A case file by path, else a library case by id (``library.get_case``, or
    ``case_studies/<id>.yaml``)."""
    path = Path(id_or_path)
    if path.suffix.lower() in (".yaml", ".yml", ".json") or path.exists():
        return load_case(path)
    try:
        from ..library.cases import get_case
    except ImportError:
        candidate = REPO_ROOT / "case_studies" / f"{id_or_path}.yaml"
        if not candidate.exists():
            raise NotFound(f"no case {id_or_path!r}: not a file, and not in {candidate.parent}") from None
        return load_case(candidate)
    return get_case(id_or_path)


def run(args) -> int:
    try:
        config = CritiqueConfig(disabled=args.disable)
    except ValidationError as exc:
        # The model's wording, reported at the option that carried the value.
        problems = [
            InputProblem(m, field="--disable", file="command line") for _, m in validation_errors(exc)
        ]
        raise InvalidInput(problems) from None
    if args.week is not None and args.week < 0:
        raise InvalidInput([InputProblem("the week cannot be negative", field="--week", file="command line")])
    case = find_case(args.case)
    plan = load_plan(args.plan)
    if plan.case_id != case.id:
        raise InvalidInput(
            [
                InputProblem(
                    f"the plan is for case {plan.case_id!r}, not {case.id!r}", field="case_id", file=args.plan
                )
            ]
        )
    findings = critique(plan, case, config=config, week=args.week)
    score = individualization_score(plan, case)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "plan": plan.id,
                    "case": case.id,
                    "week": plan.written_at_week if args.week is None else args.week,
                    "findings": [f.model_dump(mode="json") for f in findings],
                    "individualization": score.model_dump(mode="json"),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(render_text(findings, score, plan.id, case.id))
    return 1 if any(f.severity == "problem" for f in findings) else 0


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


def render_text(findings, score, plan_id: str, case_id: str) -> str:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("problem", "warning", "info")}
    lines = [
        clean(
            f"Critique of {plan_id} for {case_id}: {counts['problem']} problem(s), {counts['warning']} "
            f"warning(s), {counts['info']} note(s)"
        )
    ]
    for family in FAMILIES:
        group = [f for f in findings if f.family == family]
        if not group:
            continue
        lines.append(f"\n{family}")
        for f in group:
            where = f" [{f.element_id}]" if f.element_id else ""
            lines.append(clean(f"  {f.severity.upper():8} {f.rule}{where}: {f.message}"))
            if f.suggestion:
                lines.append(clean(f"           -> {f.suggestion}"))
            if f.evidence:
                lines.append(clean("           evidence: " + "; ".join(f.evidence)))
    lines.append(f"\nIndividualization score: {score.score}/100")
    for part in score.breakdown:
        lines.append(clean(f"  {part.name:28} {part.points:+6.1f}  {part.detail}"))
    if score.facts_ignored:
        lines.append(clean("  not used: " + "; ".join(score.facts_ignored)))
    return "\n".join(lines)
