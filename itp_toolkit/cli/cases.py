"""``itp cases list|show|validate|new``: browse the case library, check case files before they ship, and
start a new case from a commented skeleton.

``validate`` is what an author runs after editing a case: schema, file name and the privacy scan, one
``file:line: field: message`` per problem, non-zero exit if anything is wrong.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from ..library.cases import case_library_dir, get_case, load_case_library
from ..library.validation import case_files, validate_case_file
from ..model import CaseStudy, TreatmentPlan


def register(sub) -> None:
    p = sub.add_parser("cases", help="list, show and validate teaching cases")
    cases = p.add_subparsers(dest="cases_command", metavar="ACTION")
    cases.required = True

    ls = cases.add_parser("list", help="one line per case in the library")
    ls.add_argument(
        "--library",
        metavar="DIR",
        help="case library directory (default: $ITP_CASE_LIBRARY or case_studies/)",
    )
    ls.set_defaults(handler=run_list)

    show = cases.add_parser("show", help="a case as readable text")
    show.add_argument("case_id", metavar="ID")
    show.add_argument("--library", metavar="DIR", help="case library directory")
    show.add_argument(
        "--supervisor", action="store_true", help="include teaching notes and the reference plan"
    )
    show.set_defaults(handler=run_show)

    val = cases.add_parser("validate", help="check case files: schema, file name and identifiers (privacy)")
    val.add_argument(
        "paths", nargs="*", metavar="PATH", help="case files or directories (default: the library)"
    )
    val.set_defaults(handler=run_validate)

    new = cases.add_parser("new", help="start a new case file from a commented skeleton")
    new.add_argument("--id", required=True, dest="case_id", help="the new case's id, e.g. case-rural-grief")
    new.add_argument(
        "--template", action="store_true", help="write the commented skeleton (fill it, then validate)"
    )
    new.add_argument("--out", type=Path, help="file to write (default: ID.yaml in the current folder)")
    new.set_defaults(handler=run_new)


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def run_list(args) -> int:
    cases = load_case_library(args.library)
    rows = [["ID", "TITLE", "SETTING", "AGE", "MEASURES", "EVENTS", "REFERENCE PLAN"]]
    for case in cases.values():
        instruments = sorted(
            {m.instrument for m in case.measures_until(10_000)} | {m.instrument for m in case.measures}
        )
        rows.append(
            [
                case.id,
                _clip(case.title, 48),
                _clip(case.setting, 40),
                str(case.demographics.age)
                if case.demographics.age is not None
                else (case.demographics.age_band or ""),
                ", ".join(instruments) or "-",
                str(len(case.timeline)),
                "yes" if case.reference_plan is not None else "no",
            ]
        )
    print(_table(rows))
    return 0


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _para(label: str, text: str) -> list[str]:
    if not text:
        return []
    body = textwrap.fill(" ".join(text.split()), width=96, initial_indent="  ", subsequent_indent="  ")
    return [f"{label}:", body, ""]


def render_case(case: CaseStudy, *, supervisor: bool = False) -> str:
    """A case as plain text for a terminal; supervisor-only material only when asked for."""
    if not supervisor:
        case = case.for_trainee()
    d = case.demographics
    age = str(d.age) if d.age is not None else d.age_band
    out = [
        case.title,
        "=" * len(case.title),
        f"id: {case.id}",
        f"Setting: {' '.join(case.setting.split())}",
        f"Person: {age}, {d.gender}" + (f" ({d.pronouns})" if d.pronouns else ""),
    ]
    if d.occupation:
        out.append(f"Occupation: {d.occupation}")
    if d.living_situation:
        out.append(f"Living situation: {d.living_situation}")
    out += ["", "Presenting concerns:"]
    out += [
        f"  [{c.id}] {c.summary}" + (f" — {c.frequency_intensity}" if c.frequency_intensity else "")
        for c in case.presenting_concerns
    ]
    out.append("")
    out += _para("History", case.history)
    out += _para("Cultural and social context", case.cultural_social_context)
    out += _para("Mental status", case.mental_status)
    out += _para("Formulation", case.formulation)
    out.append("Working diagnosis:")
    out += [
        f"  {dx.label}" + (f" ({dx.code})" if dx.code else "") + (" — provisional" if dx.provisional else "")
        for dx in case.working_diagnosis
    ]
    out += ["", "Strengths:"] + [f"  [{s.id}] {s.text} ({s.kind})" for s in case.strengths]
    out += ["", "Barriers:"] + [f"  [{b.id}] {b.text} ({b.kind})" for b in case.barriers]
    out += ["", "In their words:"] + [f'  [{q.id}] "{q.text}" ({q.kind})' for q in case.patient_words]
    out += [
        "",
        f"Risk: {case.risk.level}" + (" — safety plan needed" if case.risk.safety_plan_needed else ""),
    ]
    out += ["  " + line for line in textwrap.wrap(" ".join(case.risk.summary.split()), 94)]
    if case.measures:
        out += ["", "Measures:"] + [f"  week {m.week}: {m.instrument} {m.score:g}" for m in case.measures]
    if case.timeline:
        out += ["", "Timeline:"]
        for e in sorted(case.timeline, key=lambda e: e.week):
            scores = ", ".join(f"{m.instrument} {m.score:g}" for m in e.measures)
            out.append(f"  week {e.week} [{e.id}] {e.title}" + (f" ({scores})" if scores else ""))
            out += ["    " + line for line in textwrap.wrap(" ".join(e.description.split()), 92)]
    if supervisor:
        out.append("")
        out += _para("Teaching notes (supervisor only)", case.teaching_notes)
        if case.discussion_questions:
            out += (
                ["Discussion questions (supervisor only):"]
                + [f"  - {q}" for q in case.discussion_questions]
                + [""]
            )
        if case.reference_plan is not None:
            out += ["Reference plan (supervisor only):"] + _plan_lines(case.reference_plan)
    return "\n".join(out).rstrip() + "\n"


def _plan_lines(plan: TreatmentPlan) -> list[str]:
    lines = [f"  {plan.title}" if plan.title else f"  {plan.id}"]
    for problem in plan.problems:
        lines.append(
            f"  Problem: {problem.statement}"
            + (f" (as evidenced by {problem.evidenced_by})" if problem.evidenced_by else "")
        )
        for goal in problem.goals:
            lines.append(f"    Goal: {goal.statement}")
            for objective in goal.objectives:
                lines.append(f"      Objective: {objective.description}")
                for intervention in objective.interventions:
                    how = ", ".join(x for x in (intervention.frequency, intervention.duration) if x)
                    lines.append(
                        f"        Intervention: {intervention.description}" + (f" ({how})" if how else "")
                    )
    for deferral in plan.deferred_concerns:
        lines.append(f"  Deferred [{deferral.concern_id}]: {deferral.reason}")
    if plan.safety_plan:
        lines += ["  Safety plan:"] + [
            "    " + line for line in textwrap.wrap(" ".join(plan.safety_plan.split()), 92)
        ]
    lines += [f"  Discharge when: {d.text}" for d in plan.discharge_criteria]
    return lines


def run_show(args) -> int:
    print(render_case(get_case(args.case_id, args.library), supervisor=args.supervisor), end="")
    return 0


def run_validate(args) -> int:
    paths = case_files(args.paths or [case_library_dir()])
    if not paths:
        print("itp cases validate: no case files found")
        return 1
    failed = 0
    for path in paths:
        problems = validate_case_file(Path(path))
        for problem in problems:
            print(problem)
        failed += bool(problems)
    print(f"{len(paths) - failed} of {len(paths)} case file(s) valid", flush=True)
    return 1 if failed else 0


def run_new(args) -> int:
    """Write the skeleton for a new case; never over an existing file."""
    import re

    from ..errors import InputProblem, InvalidInput
    from ..library.case_template import case_skeleton
    from ..model.base import ID_PATTERN

    if not args.template:
        raise InvalidInput(
            [InputProblem("give --template to write the commented skeleton", field="--template")]
        )
    if not re.fullmatch(ID_PATTERN, args.case_id) or not args.case_id.startswith("case-"):
        raise InvalidInput(
            [
                InputProblem(
                    "a case id is lower case, starts with 'case-' (e.g. case-rural-grief)", field="--id"
                )
            ]
        )
    out = args.out or Path(f"{args.case_id}.yaml")
    if out.exists():
        raise InvalidInput([InputProblem(f"{out} already exists; choose another --out", field="--out")])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(case_skeleton(args.case_id, out.name), encoding="utf-8")
    print(f"wrote {out}: fill every line marked FILL, then run `itp cases validate {out}`")
    return 0
