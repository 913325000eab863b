"""``itp schema plan|case|rubric``: print the JSON Schema, for editors and other tools."""

from __future__ import annotations

import json

from pydantic import BaseModel

from ..model import CaseStudy, Rubric, TreatmentPlan

SCHEMAS: dict[str, type[BaseModel]] = {"plan": TreatmentPlan, "case": CaseStudy, "rubric": Rubric}


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of a plan, case or rubric file")
    p.add_argument("kind", choices=sorted(SCHEMAS))
    p.set_defaults(handler=run)


def run(args) -> int:
    print(json.dumps(SCHEMAS[args.kind].model_json_schema(), indent=2))
    return 0
