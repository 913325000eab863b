"""A FHIR R4B Bundle written by ``write`` read back into the exact plan it came from."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ...errors import InputProblem, InvalidInput, field_path, validation_errors
from ...model import TreatmentPlan
from .codes import (
    CASE_SYSTEM,
    CONDITION_VERIFICATION,
    DATA_ABSENT,
    ELEMENT_SYSTEM,
    EXT_BASE,
    FACT_SYSTEM,
    ICD10CM,
    ICD11,
    PLAN_SYSTEM,
    ext,
    validate_bundle,
)


class _Reader:
    """Reads our Bundle back, remembering where each plan part came from so errors point into the Bundle."""

    def __init__(self, bundle: dict[str, Any], source: str):
        self.source = source
        self.by_url: dict[str, tuple[int, dict[str, Any]]] = {}
        self.origin: dict[tuple[Any, ...], str] = {}
        for i, entry in enumerate(bundle.get("entry") or []):
            url = entry.get("fullUrl")
            if url:
                self.by_url[url] = (i, entry.get("resource") or {})

    def fail(self, where: str, message: str) -> InvalidInput:
        return InvalidInput([InputProblem(message, field=where, file=self.source)])

    def resolve(self, ref: Any, where: str, kind: str) -> tuple[str, dict[str, Any]]:
        url = ref.get("reference") if isinstance(ref, dict) else None
        if url not in self.by_url:
            raise self.fail(where, f"refers to {url!r}, which is not an entry of this Bundle")
        index, resource = self.by_url[url]
        if resource.get("resourceType") != kind:
            raise self.fail(where, f"should refer to a {kind}, not a {resource.get('resourceType')}")
        return f"entry[{index}].resource", resource

    def element_id(self, resource: dict[str, Any], where: str) -> str:
        for ident in resource.get("identifier") or []:
            if ident.get("system") == ELEMENT_SYSTEM:
                return ident.get("value", "")
        raise self.fail(f"{where}.identifier", f"no identifier with system {ELEMENT_SYSTEM}")


def _exts(holder: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
    return [(i, e) for i, e in enumerate(holder.get("extension") or []) if e.get("url") == ext(name)]


def _ext_value(holder: dict[str, Any], name: str, kind: str, default: Any = None) -> Any:
    found = _exts(holder, name)
    return found[0][1].get(f"value{kind}", default) if found else default


def _fact_ids(r: _Reader, holder: dict[str, Any], name: str, where: str) -> list[str]:
    ids = []
    for i, e in _exts(holder, name):
        value = (e.get("valueReference") or {}).get("identifier") or {}
        if value.get("system") != FACT_SYSTEM or not value.get("value"):
            raise r.fail(
                f"{where}.extension[{i}].valueReference.identifier",
                f"a case fact reference needs an identifier with system {FACT_SYSTEM}",
            )
        ids.append(value["value"])
    return ids


def _parts(r: _Reader, extension: dict[str, Any], where: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for i, sub in enumerate(extension.get("extension") or []):
        values = [v for k, v in sub.items() if k.startswith("value")]
        if not values and [e.get("url") for e in sub.get("extension") or []] == [DATA_ABSENT]:
            values = [""]
        if len(values) != 1:
            raise r.fail(f"{where}.extension[{i}]", "expected exactly one value[x]")
        out.setdefault(sub.get("url", ""), []).append(values[0])
    return out


def _part_fact(r: _Reader, value: Any, where: str) -> str:
    ident = (value or {}).get("identifier") or {} if isinstance(value, dict) else {}
    if ident.get("system") != FACT_SYSTEM or not ident.get("value"):
        raise r.fail(where, f"a case fact reference needs an identifier with system {FACT_SYSTEM}")
    return ident["value"]


def _text(concept: dict[str, Any] | None) -> str:
    return (concept or {}).get("text", "")


def _read_objective(r: _Reader, where: str, res: dict[str, Any], interventions: list[dict]) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": r.element_id(res, where),
        "kind": _ext_value(res, "objective-kind", "Code", "measured"),
        "who": _ext_value(res, "done-by", "String", ""),
        "description": _text(res.get("description")),
        "measure": "",
        "baseline": _ext_value(res, "baseline", "Decimal"),
        "target": _ext_value(res, "target-value", "Decimal"),
        "target_week": _ext_value(res, "target-week", "Integer"),
        "target_date": None,
        "remeasure_every_weeks": _ext_value(res, "remeasure-every-weeks", "PositiveInt"),
        "linked_facts": _fact_ids(r, res, "linked-fact", where),
        "interventions": interventions,
    }
    targets = res.get("target") or []
    if len(targets) > 1:
        raise r.fail(f"{where}.target[1]", "an objective has one target")
    for target in targets[:1]:
        obj["measure"] = _text(target.get("measure"))
        rng = target.get("detailRange") or {}
        for value in (rng.get("high"), rng.get("low"), target.get("detailQuantity")):
            if value and "value" in value:
                obj["target"] = float(value["value"])
                break
        obj["target_date"] = target.get("dueDate")
    for key in ("baseline", "target"):
        if obj[key] is not None:
            obj[key] = float(obj[key])
    return obj


def _read_activity(r: _Reader, where: str, activity: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    detail = activity.get("detail")
    if not isinstance(detail, dict):
        raise r.fail(f"{where}.detail", "each activity needs a detail (FHIR R4B)")
    ident = _ext_value(detail, "element-identifier", "Identifier") or {}
    if ident.get("system") != ELEMENT_SYSTEM:
        raise r.fail(f"{where}.detail.extension", f"no element-identifier with system {ELEMENT_SYSTEM}")
    goals = detail.get("goal") or []
    if len(goals) != 1:
        raise r.fail(f"{where}.detail.goal", "an intervention serves exactly one objective")
    goal_where, goal = r.resolve(goals[0], f"{where}.detail.goal[0]", "Goal")
    objective_id = r.element_id(goal, goal_where)
    performers = detail.get("performer") or []
    role = ""
    if performers:
        role_where, practitioner_role = r.resolve(
            performers[0], f"{where}.detail.performer[0]", "PractitionerRole"
        )
        role = _text((practitioner_role.get("code") or [{}])[0])
    iv = {
        "id": ident.get("value", ""),
        "description": detail.get("description", ""),
        "modality": _text(detail.get("code")),
        "format": _ext_value(detail, "format", "Code", "individual"),
        "delivery": _ext_value(detail, "delivery", "Code", "in_person"),
        "frequency": detail.get("scheduledString", ""),
        "duration": _ext_value(detail, "duration", "String", ""),
        "time_of_day": _ext_value(detail, "time-of-day", "Code"),
        "responsible_role": role,
        "evidence_base": _ext_value(detail, "evidence-base", "String", ""),
        "linked_facts": _fact_ids(r, detail, "linked-fact", f"{where}.detail"),
    }
    return objective_id, iv


class _NoteParts:
    """One toolkit note's parts, read so that every refusal names where in the Bundle it is."""

    def __init__(self, r: _Reader, parts: dict[str, list[Any]], where: str):
        self.r, self.parts, self.where = r, parts, where

    def one(self, name: str, default: Any = None) -> Any:
        return self.parts.get(name, [default])[0]

    def ident(self) -> str:
        value = self.one("id") or {}
        if not isinstance(value, dict) or value.get("system") != ELEMENT_SYSTEM:
            raise self.r.fail(self.where, f"needs an 'id' part with system {ELEMENT_SYSTEM}")
        return value.get("value", "")

    def fact(self, name: str) -> str | None:
        return _part_fact(self.r, self.one(name), f"{self.where}.{name}") if name in self.parts else None


def _read_notes(r: _Reader, careplan: dict[str, Any], where: str, plan: dict[str, Any]) -> None:
    for ni, note in enumerate(careplan.get("note") or []):
        nwhere = f"{where}.note[{ni}]"
        ours = [
            (i, e) for i, e in enumerate(note.get("extension") or []) if e.get("url", "").startswith(EXT_BASE)
        ]
        if not ours:
            continue  # a note someone else added: not part of the toolkit's plan
        i, extension = ours[0]
        section = extension["url"][len(EXT_BASE) :]
        ewhere = f"{nwhere}.extension[{i}]"
        if section == "review" and "valueBoolean" in extension:
            continue
        parts = _parts(r, extension, ewhere)
        note_parts = _NoteParts(r, parts, ewhere)  # bound now: no closure over the loop's variables
        one, ident, fact = note_parts.one, note_parts.ident, note_parts.fact

        if section == "deferral":
            if "concern" not in parts:
                raise r.fail(ewhere, "a deferral names the concern it defers")
            plan["deferred_concerns"].append(
                {"id": ident(), "concern_id": fact("concern"), "reason": one("reason", "")}
            )
        elif section == "strength-use":
            plan["strengths_used"].append(
                {"id": ident(), "strength_id": fact("strength"), "how": one("how", "")}
            )
        elif section == "barrier":
            plan["barriers"].append(
                {
                    "id": ident(),
                    "barrier_id": fact("barrier"),
                    "barrier": one("text", ""),
                    "mitigation": one("mitigation", ""),
                }
            )
        elif section == "discharge-criterion":
            plan["discharge_criteria"].append({"id": ident(), "text": one("text", "")})
        elif section == "safety-plan":
            plan["safety_plan"] = one("text", "")
        elif section == "plan-notes":
            plan["notes"] = one("text", "")
        elif section == "participation":
            plan["participation"] = {
                "patient_participated": one("patientParticipated", False),
                "agreement_recorded": one("agreementRecorded", False),
                "copy_given": one("copyGiven", False),
                "note": one("note", ""),
            }
        elif section == "review":
            plan["review"] = {
                "review_week": one("reviewWeek"),
                "review_date": one("reviewDate"),
                "early_review_triggers": parts.get("earlyReviewTrigger", []),
            }
        else:
            raise r.fail(ewhere, f"unknown toolkit extension {extension['url']!r}")
        r.origin[(_SECTIONS.get(section, section),)] = nwhere


_SECTIONS = {
    "deferral": "deferred_concerns",
    "strength-use": "strengths_used",
    "barrier": "barriers",
    "discharge-criterion": "discharge_criteria",
    "safety-plan": "safety_plan",
    "plan-notes": "notes",
}


def _read_diagnosis(r: _Reader, where: str, res: dict[str, Any]) -> dict[str, Any]:
    code = res.get("code") or {}
    dx: dict[str, Any] = {
        "label": _text(code),
        "code": _ext_value(res, "diagnosis-code", "String", "" if _exts(res, "diagnosis-code") else None),
        "system": _ext_value(res, "diagnosis-system", "Code"),
        "provisional": False,
    }
    for coding in code.get("coding") or []:
        if coding.get("system") in (ICD10CM, ICD11):
            dx["code"] = coding.get("code")
    for coding in (res.get("verificationStatus") or {}).get("coding") or []:
        if coding.get("system") == CONDITION_VERIFICATION:
            dx["provisional"] = coding.get("code") == "provisional"
    return dx


def _is_diagnosis(condition: dict[str, Any]) -> bool:
    return any(
        c.get("code") == "encounter-diagnosis"
        for cat in condition.get("category") or []
        for c in cat.get("coding") or []
    )


def fhir_bundle_to_plan(bundle: Any, *, source: str = "<bundle>") -> TreatmentPlan:
    """The plan a Bundle from ``plan_to_fhir_bundle`` holds; InvalidInput (located in the Bundle)
    otherwise."""
    problems = validate_bundle(bundle, source=source)
    if problems:
        raise InvalidInput(problems)
    r = _Reader(bundle, source)
    careplans = [
        (i, e["resource"])
        for i, e in enumerate(bundle.get("entry") or [])
        if e.get("resource", {}).get("resourceType") == "CarePlan"
    ]
    if len(careplans) != 1:
        raise r.fail("entry", f"expected exactly one CarePlan, found {len(careplans)}")
    ci, careplan = careplans[0]
    where = f"entry[{ci}].resource"
    plan_id = next(
        (x.get("value") for x in careplan.get("identifier") or [] if x.get("system") == PLAN_SYSTEM), None
    )
    if not plan_id:
        raise r.fail(f"{where}.identifier", f"no identifier with system {PLAN_SYSTEM}")
    patient_where, patient = r.resolve(careplan.get("subject"), f"{where}.subject", "Patient")
    case_id = next(
        (x.get("value") for x in patient.get("identifier") or [] if x.get("system") == CASE_SYSTEM), None
    )
    if not case_id:
        raise r.fail(f"{patient_where}.identifier", f"no identifier with system {CASE_SYSTEM}")

    # Interventions, grouped by the objective they serve, in CarePlan order.
    interventions: dict[str, list[dict[str, Any]]] = {}
    for ai, activity in enumerate(careplan.get("activity") or []):
        objective_id, iv = _read_activity(r, f"{where}.activity[{ai}]", activity)
        interventions.setdefault(objective_id, []).append(iv)

    plan: dict[str, Any] = {
        "id": plan_id,
        "case_id": case_id,
        "title": careplan.get("title", ""),
        "written_at_week": _ext_value(careplan, "written-at-week", "Integer", 0),
        "revised_for_events": _fact_ids(r, careplan, "revised-for-event", where),
        "event_revisions": [
            {
                "event_id": _part_fact(r, (parts.get("event") or [None])[0], f"{where}.extension[{i}]"),
                "changed_elements": parts.get("changed-element", []),
                "changed_sections": parts.get("changed-section", []),
            }
            for i, extension in _exts(careplan, "event-revision")
            for parts in [_parts(r, extension, f"{where}.extension[{i}]")]
        ],
        "diagnoses": [],
        "problems": [],
        "deferred_concerns": [],
        "strengths_used": [],
        "barriers": [],
        "safety_plan": "",
        "discharge_criteria": [],
        "notes": "",
    }
    problem_by_url: dict[str, dict[str, Any]] = {}
    for ai, ref in enumerate(careplan.get("addresses") or []):
        cwhere, cond = r.resolve(ref, f"{where}.addresses[{ai}]", "Condition")
        if _is_diagnosis(cond):
            r.origin[("diagnoses", len(plan["diagnoses"]))] = cwhere
            plan["diagnoses"].append(_read_diagnosis(r, cwhere, cond))
            continue
        evidence = [c.get("text", "") for e in cond.get("evidence") or [] for c in e.get("code") or []]
        problem = {
            "id": r.element_id(cond, cwhere),
            "statement": _text(cond.get("code")),
            "evidenced_by": evidence[0] if evidence else "",
            "concern_ids": _fact_ids(r, cond, "addressed-concern", cwhere),
            "linked_facts": _fact_ids(r, cond, "linked-fact", cwhere),
            "goals": [],
        }
        r.origin[("problems", len(plan["problems"]))] = cwhere
        problem_by_url[ref["reference"]] = problem
        plan["problems"].append(problem)

    goal_by_url: dict[str, dict[str, Any]] = {}
    used_objectives: set[str] = set()
    for gi, ref in enumerate(careplan.get("goal") or []):
        gwhere, res = r.resolve(ref, f"{where}.goal[{gi}]", "Goal")
        parents = _exts(res, "parent-goal")
        addresses = res.get("addresses") or []
        if len(addresses) != 1 or addresses[0].get("reference") not in problem_by_url:
            raise r.fail(f"{gwhere}.addresses", "a goal addresses exactly one problem Condition of this plan")
        problem = problem_by_url[addresses[0]["reference"]]
        if not parents:
            goal = {
                "id": r.element_id(res, gwhere),
                "statement": _text(res.get("description")),
                "in_patient_words": "expressedBy" in res,
                "patient_quote_id": next(iter(_fact_ids(r, res, "patient-quote", gwhere)), None),
                "linked_facts": _fact_ids(r, res, "linked-fact", gwhere),
                "objectives": [],
            }
            goal_by_url[ref["reference"]] = goal
            pi = plan["problems"].index(problem)
            r.origin[("problems", pi, "goals", len(problem["goals"]))] = gwhere
            problem["goals"].append(goal)
            continue
        pindex, parent_ext = parents[0]
        parent_url = (parent_ext.get("valueReference") or {}).get("reference")
        if parent_url not in goal_by_url:
            raise r.fail(
                f"{gwhere}.extension[{pindex}].valueReference",
                "an objective's parent goal must be listed before it in CarePlan.goal",
            )
        parent = goal_by_url[parent_url]
        objective = _read_objective(r, gwhere, res, [])
        objective["interventions"] = interventions.get(objective["id"], [])
        used_objectives.add(objective["id"])
        pi = plan["problems"].index(problem)
        gi2 = problem["goals"].index(parent) if parent in problem["goals"] else None
        if gi2 is None:
            raise r.fail(f"{gwhere}.addresses", "an objective addresses the same problem as its parent goal")
        r.origin[("problems", pi, "goals", gi2, "objectives", len(parent["objectives"]))] = gwhere
        parent["objectives"].append(objective)
    orphans = set(interventions) - used_objectives
    if orphans:
        raise r.fail(
            f"{where}.activity", f"activities serve objectives not in CarePlan.goal: {sorted(orphans)}"
        )

    _read_notes(r, careplan, where, plan)
    try:
        return TreatmentPlan.model_validate(plan)
    except ValidationError as exc:
        problems = []
        for loc, message in validation_errors(exc):
            prefix = max((k for k in r.origin if loc[: len(k)] == k), key=len, default=None)
            bundle_where = r.origin.get(prefix, where) if prefix is not None else where
            problems.append(
                InputProblem(
                    f"{message} (plan field {field_path(loc) or 'plan'})", field=bundle_where, file=source
                )
            )
        raise InvalidInput(problems) from None
