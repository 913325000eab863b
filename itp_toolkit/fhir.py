"""Treatment plans as FHIR R4B Bundles, and back.

A plan leaves the toolkit as a ``collection`` Bundle: one CarePlan, a Condition per problem and per working
diagnosis, a Goal per goal and per objective, the responsible roles as PractitionerRoles on a CareTeam, and a
Patient that stands for the synthetic case. Interventions are CarePlan activities (R4B ``activity.detail``).
Everything FHIR has no element for (baselines, target weeks, links to case facts, strengths, barriers...) is
carried in extensions under a namespace that is clearly not real, so ``fhir_bundle_to_plan`` restores the
plan exactly. ``docs/fhir.md`` has the mapping table and the reasons for each choice.

We build plain JSON-ready dicts (what a receiver gets) and validate them with ``fhir.resources`` before
handing them out or reading them in: the package checks structure, we check the codes it does not.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from .errors import InvalidInput, Problem
from .files import field_path
from .model import CaseStudy, TreatmentPlan
from .model.measures import INSTRUMENTS, is_standard_measure

FHIR_VERSION = "4.3.0"
"""FHIR R4B: CarePlan keeps interventions inline (``activity.detail``), as most receiving systems still expect."""

EXT_BASE = "https://itp-toolkit.invalid/fhir/StructureDefinition/"
"""Our extensions live under ``.invalid`` (RFC 2606): they are ours, and nobody can mistake them for HL7's."""

ELEMENT_SYSTEM = "urn:itp-toolkit:element"
"""Identifier system for a plan element's permanent toolkit id (problem, goal, objective, intervention...)."""
PLAN_SYSTEM = "urn:itp-toolkit:plan"
CASE_SYSTEM = "urn:itp-toolkit:case"
FACT_SYSTEM = "urn:itp-toolkit:case-fact"
"""Identifier system for facts of the case (concerns, strengths, barriers, quotes, events), referenced by id."""

LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD11 = "http://id.who.int/icd/release/11/mms"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"

UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://itp-toolkit.invalid/fhir")

ICD10CM_PATTERN = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")
"""The shape of an ICD-10-CM code (letter, two characters, optional dot and up to four more)."""

LOINC_BY_MEASURE = {code: inst.loinc for code, inst in INSTRUMENTS.items() if inst.loinc}
"""The only LOINC codes we emit or accept: those in the measures table."""

CAREPLAN_STATUS = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
CAREPLAN_INTENT = {"proposal", "plan", "order", "option"}
GOAL_LIFECYCLE = {"proposed", "planned", "accepted", "active", "on-hold", "completed", "cancelled",
                  "entered-in-error", "rejected"}
ACTIVITY_KIND = {"Appointment", "CommunicationRequest", "DeviceRequest", "MedicationRequest", "NutritionOrder",
                 "Task", "ServiceRequest", "VisionPrescription"}
ACTIVITY_STATUS = {"not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped",
                   "unknown", "entered-in-error"}


def ext(name: str) -> str:
    """The full URL of one of our extensions."""
    return EXT_BASE + name


def full_url(plan_id: str, key: str) -> str:
    """A stable ``urn:uuid:`` for an element: the same plan exports to the same Bundle, byte for byte."""
    return f"urn:uuid:{uuid.uuid5(UUID_NAMESPACE, f'{plan_id}/{key}')}"


# ---------------------------------------------------------------------------------------------------- export


class _Writer:
    """Builds the entries of one Bundle; knows the case (if given) only to add readable display text."""

    def __init__(self, plan: TreatmentPlan, case: CaseStudy | None):
        self.plan = plan
        self.case = case
        self.entries: list[dict[str, Any]] = []
        self.patient_url = full_url(plan.id, f"case/{plan.case_id}")
        self.role_urls: dict[str, str] = {}

    def add(self, url: str, resource: dict[str, Any]) -> None:
        self.entries.append({"fullUrl": url, "resource": resource})

    def fact(self, fact_id: str) -> dict[str, Any]:
        """A logical reference to a case fact, with the fact's text when the case is at hand."""
        ref: dict[str, Any] = {"identifier": {"system": FACT_SYSTEM, "value": fact_id}}
        if self.case is not None:
            try:
                fact = self.case.fact(fact_id)
            except KeyError:
                pass
            else:
                display = getattr(fact, "text", None) or getattr(fact, "summary", None) or getattr(fact, "title", "")
                if display:
                    ref["display"] = display
        return ref

    def role(self, role: str) -> str:
        """The PractitionerRole standing for one responsible role (one resource per distinct wording)."""
        if role not in self.role_urls:
            self.role_urls[role] = full_url(self.plan.id, f"role/{role}")
        return self.role_urls[role]


def _identifier(element_id: str) -> dict[str, str]:
    return {"system": ELEMENT_SYSTEM, "value": element_id}


def _text_concept(text: str) -> dict[str, Any]:
    """A CodeableConcept holding free text; FHIR strings cannot be empty, so '' is 'data absent'."""
    if text:
        return {"text": text}
    return {"extension": [{"url": DATA_ABSENT, "valueCode": "unknown"}]}


def _facts(w: _Writer, name: str, fact_ids: Iterable[str]) -> list[dict[str, Any]]:
    return [{"url": ext(name), "valueReference": w.fact(f)} for f in fact_ids]


def _string_ext(name: str, value: str) -> list[dict[str, Any]]:
    return [{"url": ext(name), "valueString": value}] if value else []


def _decimal(value: float, where: str) -> float:
    if not math.isfinite(value):
        raise InvalidInput([Problem("FHIR decimals must be finite numbers", field=where)])
    return value


def _complex(name: str, parts: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """A complex extension: sub-extensions named ``part`` with ``value[x]`` of the given type."""
    subs = []
    for part, kind, value in parts:
        if kind == "String" and value == "":  # FHIR strings cannot be empty: an item of a list left blank
            subs.append({"url": part, "extension": [{"url": DATA_ABSENT, "valueCode": "unknown"}]})
        else:
            subs.append({"url": part, f"value{kind}": value})
    return {"url": ext(name), "extension": subs}


def _note(text: str, extension: dict[str, Any]) -> dict[str, Any]:
    """A CarePlan note: readable (escaped) Markdown for people, the exact fields in an extension for import."""
    from .export import md_text  # same layer; keeps trainee text from becoming live Markdown at the receiver

    return {"extension": [extension], "text": md_text(text) or "-"}


def _problem_condition(w: _Writer, index: int) -> dict[str, Any]:
    problem = w.plan.problems[index]
    cond: dict[str, Any] = {
        "resourceType": "Condition",
        "identifier": [_identifier(problem.id)],
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
        "code": _text_concept(problem.statement),
        "subject": {"reference": w.patient_url},
    }
    extensions = _facts(w, "addressed-concern", problem.concern_ids) + _facts(w, "linked-fact", problem.linked_facts)
    if extensions:
        cond["extension"] = extensions
    if problem.evidenced_by:
        cond["evidence"] = [{"code": [{"text": problem.evidenced_by}]}]
    return cond


def _diagnosis_condition(w: _Writer, index: int) -> dict[str, Any]:
    dx = w.plan.diagnoses[index]
    code: dict[str, Any] = _text_concept(dx.label)
    extensions: list[dict[str, Any]] = []
    if dx.code == "":  # a blank code, kept distinct from no code at all
        extensions.append({"url": ext("diagnosis-code"), "extension": [{"url": DATA_ABSENT, "valueCode": "unknown"}]})
    elif dx.code:
        # DSM-5-TR diagnoses are recorded with ICD-10-CM codes; we claim a system only for a code of its shape.
        if dx.system in (None, "DSM-5-TR", "ICD-10-CM") and ICD10CM_PATTERN.match(dx.code):
            code.setdefault("coding", []).append({"system": ICD10CM, "code": dx.code, "display": dx.label or dx.code})
        elif dx.system == "ICD-11":
            code.setdefault("coding", []).append({"system": ICD11, "code": dx.code})
        else:
            extensions += _string_ext("diagnosis-code", dx.code)
    if dx.system:
        extensions.append({"url": ext("diagnosis-system"), "valueCode": dx.system})
    cond: dict[str, Any] = {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        "verificationStatus": {
            "coding": [{"system": CONDITION_VERIFICATION, "code": "provisional" if dx.provisional else "confirmed"}]
        },
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}],
        "code": code,
        "subject": {"reference": w.patient_url},
    }
    if extensions:
        cond["extension"] = extensions
    return cond


def _target(w: _Writer, obj, where: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Goal.target and any extensions needed for what the target cannot hold."""
    target: dict[str, Any] = {}
    extensions: list[dict[str, Any]] = []
    if obj.measure:
        measure: dict[str, Any] = {"text": obj.measure}
        if is_standard_measure(obj.measure):
            inst = INSTRUMENTS[obj.measure.strip().upper()]
            if inst.loinc:
                measure["coding"] = [{"system": LOINC, "code": inst.loinc, "display": inst.name}]
        target["measure"] = measure
    if obj.target is not None:
        value = _decimal(obj.target, f"{where}.target")
        if not obj.measure:
            # FHIR requires a measure beside a detail (gol-1); with none named, keep the number in an extension.
            extensions.append({"url": ext("target-value"), "valueDecimal": value})
        elif is_standard_measure(obj.measure) or (obj.baseline is not None and value < obj.baseline):
            target["detailRange"] = {"high": {"value": value}}  # symptom scores: at most the target
        elif obj.baseline is not None and value > obj.baseline:
            target["detailRange"] = {"low": {"value": value}}  # counted behaviour: at least the target
        else:
            target["detailQuantity"] = {"value": value}
    if obj.target_date is not None:
        target["dueDate"] = obj.target_date.isoformat()
    return ([target] if target else []), extensions


def _objective_goal(w: _Writer, pi: int, gi: int, oi: int) -> dict[str, Any]:
    problem = w.plan.problems[pi]
    goal = problem.goals[gi]
    obj = goal.objectives[oi]
    where = f"problems[{pi}].goals[{gi}].objectives[{oi}]"
    targets, extensions = _target(w, obj, where)
    extensions.insert(0, {"url": ext("parent-goal"), "valueReference": {"reference": full_url(w.plan.id, goal.id)}})
    if obj.baseline is not None:
        extensions.append({"url": ext("baseline"), "valueDecimal": _decimal(obj.baseline, f"{where}.baseline")})
    if obj.target_week is not None:
        extensions.append({"url": ext("target-week"), "valueInteger": obj.target_week})
    if obj.remeasure_every_weeks is not None:
        extensions.append({"url": ext("remeasure-every-weeks"), "valuePositiveInt": obj.remeasure_every_weeks})
    extensions += _facts(w, "linked-fact", obj.linked_facts)
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "extension": extensions,
        "identifier": [_identifier(obj.id)],
        "lifecycleStatus": "proposed",
        "category": [{"text": "objective"}],
        "description": _text_concept(obj.description),
        "subject": {"reference": w.patient_url},
        "addresses": [{"reference": full_url(w.plan.id, problem.id)}],
    }
    if targets:
        resource["target"] = targets
    return resource


def _goal(w: _Writer, pi: int, gi: int) -> dict[str, Any]:
    problem = w.plan.problems[pi]
    goal = problem.goals[gi]
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "identifier": [_identifier(goal.id)],
        "lifecycleStatus": "proposed",
        "category": [{"text": "goal"}],
        "description": _text_concept(goal.statement),
        "subject": {"reference": w.patient_url},
        "addresses": [{"reference": full_url(w.plan.id, problem.id)}],
    }
    extensions = _facts(w, "patient-quote", [goal.patient_quote_id] if goal.patient_quote_id else [])
    extensions += _facts(w, "linked-fact", goal.linked_facts)
    if extensions:
        resource["extension"] = extensions
    if goal.in_patient_words:
        resource["expressedBy"] = {"reference": w.patient_url}  # R4B: the person said it (R5: Goal.source)
    return resource


def _activity(w: _Writer, objective_id: str, iv) -> dict[str, Any]:
    extensions = [
        {"url": ext("element-identifier"), "valueIdentifier": _identifier(iv.id)},
        {"url": ext("format"), "valueCode": iv.format},
        {"url": ext("delivery"), "valueCode": iv.delivery},
    ]
    if iv.time_of_day:
        extensions.append({"url": ext("time-of-day"), "valueCode": iv.time_of_day})
    extensions += _string_ext("duration", iv.duration) + _string_ext("evidence-base", iv.evidence_base)
    extensions += _facts(w, "linked-fact", iv.linked_facts)
    detail: dict[str, Any] = {
        "extension": extensions,
        "kind": "ServiceRequest",
        "goal": [{"reference": full_url(w.plan.id, objective_id)}],
        "status": "not-started",
    }
    if iv.modality:
        detail["code"] = {"text": iv.modality}
    if iv.frequency:
        detail["scheduledString"] = iv.frequency
    if iv.responsible_role:
        detail["performer"] = [{"reference": w.role(iv.responsible_role), "display": iv.responsible_role}]
    if iv.description:
        detail["description"] = iv.description
    return {"detail": detail}


def _notes(w: _Writer) -> list[dict[str, Any]]:
    plan = w.plan
    notes = []
    for d in plan.deferred_concerns:
        notes.append(_note(
            f"Deferred concern {w.fact(d.concern_id).get('display', d.concern_id)}: {d.reason}",
            _complex("deferral", [("id", "Identifier", _identifier(d.id)),
                                  ("concern", "Reference", w.fact(d.concern_id))]
                     + ([("reason", "String", d.reason)] if d.reason else [])),
        ))
    for s in plan.strengths_used:
        label = w.fact(s.strength_id).get("display", s.strength_id) if s.strength_id else "strength"
        parts: list[tuple[str, str, Any]] = [("id", "Identifier", _identifier(s.id))]
        if s.strength_id:
            parts.append(("strength", "Reference", w.fact(s.strength_id)))
        if s.how:
            parts.append(("how", "String", s.how))
        notes.append(_note(f"Strength used ({label}): {s.how}", _complex("strength-use", parts)))
    for b in plan.barriers:
        parts = [("id", "Identifier", _identifier(b.id))]
        if b.barrier_id:
            parts.append(("barrier", "Reference", w.fact(b.barrier_id)))
        if b.barrier:
            parts.append(("text", "String", b.barrier))
        if b.mitigation:
            parts.append(("mitigation", "String", b.mitigation))
        label = b.barrier or (w.fact(b.barrier_id).get("display", b.barrier_id) if b.barrier_id else "")
        notes.append(_note(f"Barrier: {label}. Mitigation: {b.mitigation}", _complex("barrier", parts)))
    for c in plan.discharge_criteria:
        parts = [("id", "Identifier", _identifier(c.id))] + ([("text", "String", c.text)] if c.text else [])
        notes.append(_note(f"Discharge criterion: {c.text}", _complex("discharge-criterion", parts)))
    if plan.safety_plan:
        notes.append(_note(f"Safety plan: {plan.safety_plan}",
                           _complex("safety-plan", [("text", "String", plan.safety_plan)])))
    p = plan.participation
    parts = [("patientParticipated", "Boolean", p.patient_participated),
             ("agreementRecorded", "Boolean", p.agreement_recorded),
             ("copyGiven", "Boolean", p.copy_given)] + ([("note", "String", p.note)] if p.note else [])
    yes = {True: "yes", False: "no"}
    notes.append(_note(
        f"Participation: took part {yes[p.patient_participated]}; agreement recorded {yes[p.agreement_recorded]};"
        f" copy given {yes[p.copy_given]}. {p.note}", _complex("participation", parts)))
    r = plan.review
    parts = []
    if r.review_week is not None:
        parts.append(("reviewWeek", "Integer", r.review_week))
    if r.review_date is not None:
        parts.append(("reviewDate", "Date", r.review_date.isoformat()))
    parts += [("earlyReviewTrigger", "String", t) for t in r.early_review_triggers]
    when = r.review_date.isoformat() if r.review_date else (f"week {r.review_week}" if r.review_week is not None
                                                            else "not set")
    triggers = "; ".join(r.early_review_triggers) or "none"
    review_ext = _complex("review", parts) if parts else {"url": ext("review"), "valueBoolean": True}
    notes.append(_note(f"Review: {when}. Early review if: {triggers}", review_ext))
    if plan.notes:
        notes.append(_note(plan.notes, _complex("plan-notes", [("text", "String", plan.notes)])))
    return notes


def plan_to_fhir_bundle(plan: TreatmentPlan, case: CaseStudy | None = None) -> dict[str, Any]:
    """The plan as a FHIR R4B ``collection`` Bundle (plain JSON data), validated with ``fhir.resources``.

    ``case`` only adds readable text (the wording of linked strengths, barriers and quotes); the Bundle holds
    the plan either way. InvalidInput when the case is another case or the result would not be valid FHIR.
    """
    if case is not None and case.id != plan.case_id:
        raise InvalidInput([Problem(f"plan is for {plan.case_id!r}, not {case.id!r}", field="case_id")])
    w = _Writer(plan, case)
    careplan_url = full_url(plan.id, plan.id)
    addresses = [{"reference": full_url(plan.id, p.id)} for p in plan.problems]
    addresses += [{"reference": full_url(plan.id, f"diagnosis/{i}")} for i in range(len(plan.diagnoses))]
    goal_refs = []
    activities = []
    conditions, goals = [], []
    for pi, problem in enumerate(plan.problems):
        conditions.append((full_url(plan.id, problem.id), _problem_condition(w, pi)))
        for gi, goal in enumerate(problem.goals):
            goals.append((full_url(plan.id, goal.id), _goal(w, pi, gi)))
            goal_refs.append({"reference": full_url(plan.id, goal.id)})
            for oi, obj in enumerate(goal.objectives):
                goals.append((full_url(plan.id, obj.id), _objective_goal(w, pi, gi, oi)))
                goal_refs.append({"reference": full_url(plan.id, obj.id)})
                activities += [_activity(w, obj.id, iv) for iv in obj.interventions]
    for di in range(len(plan.diagnoses)):
        conditions.append((full_url(plan.id, f"diagnosis/{di}"), _diagnosis_condition(w, di)))

    extensions = [{"url": ext("written-at-week"), "valueInteger": plan.written_at_week}]
    extensions += _facts(w, "revised-for-event", plan.revised_for_events)
    careplan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "extension": extensions,
        "identifier": [{"system": PLAN_SYSTEM, "value": plan.id}],
        "status": "draft",
        "intent": "plan",
        "category": [{"text": "Individualized treatment plan (behavioural health, teaching case)"}],
        "subject": {"reference": w.patient_url},
        "note": _notes(w),
    }
    if plan.title:
        careplan["title"] = plan.title
    if addresses:
        careplan["addresses"] = addresses
    if goal_refs:
        careplan["goal"] = goal_refs
    if activities:
        careplan["activity"] = activities
    careteam_url = full_url(plan.id, "care-team")
    if w.role_urls:
        careplan["careTeam"] = [{"reference": careteam_url}]

    w.add(careplan_url, careplan)
    w.add(w.patient_url, {
        "resourceType": "Patient",
        "identifier": [{"system": CASE_SYSTEM, "value": plan.case_id}],
        "text": {"status": "generated",
                 "div": '<div xmlns="http://www.w3.org/1999/xhtml">Synthetic teaching case; no real person.</div>'},
    })
    for url, resource in conditions + goals:
        w.add(url, resource)
    if w.role_urls:
        w.add(careteam_url, {
            "resourceType": "CareTeam",
            "subject": {"reference": w.patient_url},
            "participant": [{"role": [{"text": role}], "member": {"reference": url}}
                            for role, url in w.role_urls.items()],
        })
        for role, url in w.role_urls.items():
            w.add(url, {"resourceType": "PractitionerRole", "code": [{"text": role}]})
    bundle = {
        "resourceType": "Bundle",
        "meta": {"tag": [{"system": "urn:itp-toolkit:fhir-version", "code": FHIR_VERSION}]},
        "identifier": {"system": PLAN_SYSTEM, "value": plan.id},
        "type": "collection",
        "entry": w.entries,
    }
    problems = validate_bundle(bundle)
    if problems:
        raise InvalidInput(problems)
    return bundle


# ---------------------------------------------------------------------------------------------------- checks


def validate_bundle(bundle: Any, *, source: str = "<bundle>") -> list[Problem]:
    """Structure (``fhir.resources`` R4B) and the codes it does not check (statuses, kinds, LOINC)."""
    from fhir.resources.R4B.bundle import Bundle

    if not isinstance(bundle, dict):
        return [Problem("expected a FHIR Bundle (a JSON object)", field="Bundle", file=source)]
    if bundle.get("resourceType") != "Bundle":
        return [Problem("expected resourceType 'Bundle'", field="resourceType", file=source)]
    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        return [Problem(err["msg"], field=field_path(tuple(err["loc"])), file=source)
                for err in exc.errors(include_url=False)]
    except (ValueError, TypeError, KeyError, RecursionError) as exc:  # fhir.resources' own lookups
        return [Problem(f"not a valid FHIR Bundle: {exc}", field="Bundle", file=source)]
    problems = []
    for i, entry in enumerate(bundle.get("entry") or []):
        problems += _code_problems(entry.get("resource") or {}, f"entry[{i}].resource", source)
    return problems


def _code_problems(resource: dict[str, Any], where: str, source: str) -> list[Problem]:
    problems = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(message, field=f"{where}.{field}", file=source))

    kind = resource.get("resourceType")
    if kind == "CarePlan":
        if resource.get("status") not in CAREPLAN_STATUS:
            bad("status", f"not a CarePlan status: {resource.get('status')!r}")
        if resource.get("intent") not in CAREPLAN_INTENT:
            bad("intent", f"not a CarePlan intent: {resource.get('intent')!r}")
        for ai, activity in enumerate(resource.get("activity") or []):
            detail = activity.get("detail") or {}
            if "kind" in detail and detail["kind"] not in ACTIVITY_KIND:
                bad(f"activity[{ai}].detail.kind", f"not an activity kind: {detail['kind']!r}")
            if detail and detail.get("status") not in ACTIVITY_STATUS:
                bad(f"activity[{ai}].detail.status", f"not an activity status: {detail.get('status')!r}")
    elif kind == "Goal":
        if resource.get("lifecycleStatus") not in GOAL_LIFECYCLE:
            bad("lifecycleStatus", f"not a Goal lifecycle status: {resource.get('lifecycleStatus')!r}")
        for ti, target in enumerate(resource.get("target") or []):
            for ci, coding in enumerate((target.get("measure") or {}).get("coding") or []):
                if coding.get("system") == LOINC and coding.get("code") not in LOINC_BY_MEASURE.values():
                    bad(f"target[{ti}].measure.coding[{ci}].code",
                        f"LOINC {coding.get('code')!r} is not one of the toolkit's measures")
    elif kind == "Condition":
        for ci, coding in enumerate((resource.get("code") or {}).get("coding") or []):
            if coding.get("system") == ICD10CM and not ICD10CM_PATTERN.match(str(coding.get("code", ""))):
                bad(f"code.coding[{ci}].code", f"{coding.get('code')!r} is not an ICD-10-CM code")
    return problems


# ---------------------------------------------------------------------------------------------------- import


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
        return InvalidInput([Problem(message, field=where, file=self.source)])

    def resolve(self, ref: Any, where: str, kind: str) -> tuple[str, dict[str, Any]]:
        url = ref.get("reference") if isinstance(ref, dict) else None
        if url not in self.by_url:
            raise self.fail(where, f"refers to {url!r}, which is not an entry of this Bundle")
        index, resource = self.by_url[url]
        if resource.get("resourceType") != kind:
            raise self.fail(where, f"should refer to a {kind}, not a {resource.get('resourceType')}")
        return f"entry[{index}].resource", resource

    def element_id(self, resource: dict[str, Any], where: str) -> str:
        for n, ident in enumerate(resource.get("identifier") or []):
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
        value = ((e.get("valueReference") or {}).get("identifier") or {})
        if value.get("system") != FACT_SYSTEM or not value.get("value"):
            raise r.fail(f"{where}.extension[{i}].valueReference.identifier",
                         f"a case fact reference needs an identifier with system {FACT_SYSTEM}")
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
        role_where, practitioner_role = r.resolve(performers[0], f"{where}.detail.performer[0]", "PractitionerRole")
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


def _read_notes(r: _Reader, careplan: dict[str, Any], where: str, plan: dict[str, Any]) -> None:
    for ni, note in enumerate(careplan.get("note") or []):
        nwhere = f"{where}.note[{ni}]"
        ours = [(i, e) for i, e in enumerate(note.get("extension") or []) if e.get("url", "").startswith(EXT_BASE)]
        if not ours:
            continue  # a note someone else added: not part of the toolkit's plan
        i, extension = ours[0]
        section = extension["url"][len(EXT_BASE):]
        ewhere = f"{nwhere}.extension[{i}]"
        if section == "review" and "valueBoolean" in extension:
            continue
        parts = _parts(r, extension, ewhere)

        def one(name: str, default: Any = None) -> Any:
            return parts.get(name, [default])[0]

        def ident() -> str:
            value = one("id") or {}
            if not isinstance(value, dict) or value.get("system") != ELEMENT_SYSTEM:
                raise r.fail(ewhere, f"needs an 'id' part with system {ELEMENT_SYSTEM}")
            return value.get("value", "")

        def fact(name: str) -> str | None:
            return _part_fact(r, one(name), f"{ewhere}.{name}") if name in parts else None

        if section == "deferral":
            if "concern" not in parts:
                raise r.fail(ewhere, "a deferral names the concern it defers")
            plan["deferred_concerns"].append({"id": ident(), "concern_id": fact("concern"), "reason": one("reason", "")})
        elif section == "strength-use":
            plan["strengths_used"].append({"id": ident(), "strength_id": fact("strength"), "how": one("how", "")})
        elif section == "barrier":
            plan["barriers"].append({"id": ident(), "barrier_id": fact("barrier"), "barrier": one("text", ""),
                                     "mitigation": one("mitigation", "")})
        elif section == "discharge-criterion":
            plan["discharge_criteria"].append({"id": ident(), "text": one("text", "")})
        elif section == "safety-plan":
            plan["safety_plan"] = one("text", "")
        elif section == "plan-notes":
            plan["notes"] = one("text", "")
        elif section == "participation":
            plan["participation"] = {"patient_participated": one("patientParticipated", False),
                                     "agreement_recorded": one("agreementRecorded", False),
                                     "copy_given": one("copyGiven", False), "note": one("note", "")}
        elif section == "review":
            plan["review"] = {"review_week": one("reviewWeek"), "review_date": one("reviewDate"),
                              "early_review_triggers": parts.get("earlyReviewTrigger", [])}
        else:
            raise r.fail(ewhere, f"unknown toolkit extension {extension['url']!r}")
        r.origin[(_SECTIONS.get(section, section),)] = nwhere


_SECTIONS = {"deferral": "deferred_concerns", "strength-use": "strengths_used", "barrier": "barriers",
             "discharge-criterion": "discharge_criteria", "safety-plan": "safety_plan", "plan-notes": "notes"}


def _read_diagnosis(r: _Reader, where: str, res: dict[str, Any]) -> dict[str, Any]:
    code = res.get("code") or {}
    dx: dict[str, Any] = {"label": _text(code), "code": _ext_value(res, "diagnosis-code", "String",
                                                                   "" if _exts(res, "diagnosis-code") else None),
                          "system": _ext_value(res, "diagnosis-system", "Code"), "provisional": False}
    for coding in code.get("coding") or []:
        if coding.get("system") in (ICD10CM, ICD11):
            dx["code"] = coding.get("code")
    for coding in (res.get("verificationStatus") or {}).get("coding") or []:
        if coding.get("system") == CONDITION_VERIFICATION:
            dx["provisional"] = coding.get("code") == "provisional"
    return dx


def _is_diagnosis(condition: dict[str, Any]) -> bool:
    return any(c.get("code") == "encounter-diagnosis"
               for cat in condition.get("category") or [] for c in cat.get("coding") or [])


def fhir_bundle_to_plan(bundle: Any, *, source: str = "<bundle>") -> TreatmentPlan:
    """The plan a Bundle from ``plan_to_fhir_bundle`` holds; InvalidInput (located in the Bundle) otherwise."""
    problems = validate_bundle(bundle, source=source)
    if problems:
        raise InvalidInput(problems)
    r = _Reader(bundle, source)
    careplans = [(i, e["resource"]) for i, e in enumerate(bundle.get("entry") or [])
                 if e.get("resource", {}).get("resourceType") == "CarePlan"]
    if len(careplans) != 1:
        raise r.fail("entry", f"expected exactly one CarePlan, found {len(careplans)}")
    ci, careplan = careplans[0]
    where = f"entry[{ci}].resource"
    plan_id = next((x.get("value") for x in careplan.get("identifier") or [] if x.get("system") == PLAN_SYSTEM), None)
    if not plan_id:
        raise r.fail(f"{where}.identifier", f"no identifier with system {PLAN_SYSTEM}")
    patient_where, patient = r.resolve(careplan.get("subject"), f"{where}.subject", "Patient")
    case_id = next((x.get("value") for x in patient.get("identifier") or [] if x.get("system") == CASE_SYSTEM), None)
    if not case_id:
        raise r.fail(f"{patient_where}.identifier", f"no identifier with system {CASE_SYSTEM}")

    # Interventions, grouped by the objective they serve, in CarePlan order.
    interventions: dict[str, list[dict[str, Any]]] = {}
    for ai, activity in enumerate(careplan.get("activity") or []):
        objective_id, iv = _read_activity(r, f"{where}.activity[{ai}]", activity)
        interventions.setdefault(objective_id, []).append(iv)

    plan: dict[str, Any] = {
        "id": plan_id, "case_id": case_id, "title": careplan.get("title", ""),
        "written_at_week": _ext_value(careplan, "written-at-week", "Integer", 0),
        "revised_for_events": _fact_ids(r, careplan, "revised-for-event", where),
        "diagnoses": [], "problems": [], "deferred_concerns": [], "strengths_used": [], "barriers": [],
        "safety_plan": "", "discharge_criteria": [], "notes": "",
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
            "id": r.element_id(cond, cwhere), "statement": _text(cond.get("code")),
            "evidenced_by": evidence[0] if evidence else "",
            "concern_ids": _fact_ids(r, cond, "addressed-concern", cwhere),
            "linked_facts": _fact_ids(r, cond, "linked-fact", cwhere), "goals": [],
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
                "id": r.element_id(res, gwhere), "statement": _text(res.get("description")),
                "in_patient_words": "expressedBy" in res,
                "patient_quote_id": next(iter(_fact_ids(r, res, "patient-quote", gwhere)), None),
                "linked_facts": _fact_ids(r, res, "linked-fact", gwhere), "objectives": [],
            }
            goal_by_url[ref["reference"]] = goal
            pi = plan["problems"].index(problem)
            r.origin[("problems", pi, "goals", len(problem["goals"]))] = gwhere
            problem["goals"].append(goal)
            continue
        pindex, parent_ext = parents[0]
        parent_url = (parent_ext.get("valueReference") or {}).get("reference")
        if parent_url not in goal_by_url:
            raise r.fail(f"{gwhere}.extension[{pindex}].valueReference",
                         "an objective's parent goal must be listed before it in CarePlan.goal")
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
        raise r.fail(f"{where}.activity", f"activities serve objectives not in CarePlan.goal: {sorted(orphans)}")

    _read_notes(r, careplan, where, plan)
    try:
        return TreatmentPlan.model_validate(plan)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            prefix = max((k for k in r.origin if loc[: len(k)] == k), key=len, default=None)
            bundle_where = r.origin.get(prefix, where) if prefix is not None else where
            problems.append(Problem(f"{err['msg']} (plan field {field_path(loc) or 'plan'})",
                                    field=bundle_where, file=source))
        raise InvalidInput(problems) from None
