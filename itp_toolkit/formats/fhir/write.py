"""A treatment plan as a FHIR R4B ``collection`` Bundle (see the package docstring and ``docs/fhir.md``)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ...errors import InputProblem, InvalidInput
from ...model import CaseStudy, TreatmentPlan
from ...model.measures import INSTRUMENTS, is_standard_measure
from .codes import (
    CASE_SYSTEM,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    DATA_ABSENT,
    ELEMENT_SYSTEM,
    FACT_SYSTEM,
    FHIR_VERSION,
    ICD10CM,
    ICD10CM_PATTERN,
    ICD11,
    LOINC,
    PLAN_SYSTEM,
    ext,
    full_url,
    validate_bundle,
)


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
                display = (
                    getattr(fact, "text", None)
                    or getattr(fact, "summary", None)
                    or getattr(fact, "title", "")
                )
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
        raise InvalidInput([InputProblem("FHIR decimals must be finite numbers", field=where)])
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
    """A CarePlan note: readable (escaped) Markdown for people, the exact fields in an extension for
    import."""
    from ..markdown import (
        md_text,  # same layer; keeps trainee text from becoming live Markdown at the receiver
    )

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
    extensions = _facts(w, "addressed-concern", problem.concern_ids) + _facts(
        w, "linked-fact", problem.linked_facts
    )
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
        extensions.append(
            {"url": ext("diagnosis-code"), "extension": [{"url": DATA_ABSENT, "valueCode": "unknown"}]}
        )
    elif dx.code:
        # DSM-5-TR diagnoses are recorded with ICD-10-CM codes; we claim a system only for a code of its
        # shape.
        if dx.system in (None, "DSM-5-TR", "ICD-10-CM") and ICD10CM_PATTERN.match(dx.code):
            code.setdefault("coding", []).append(
                {"system": ICD10CM, "code": dx.code, "display": dx.label or dx.code}
            )
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
            "coding": [
                {"system": CONDITION_VERIFICATION, "code": "provisional" if dx.provisional else "confirmed"}
            ]
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
            # FHIR requires a measure beside a detail (gol-1); with none named, keep the number in an
            # extension.
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
    extensions.insert(
        0, {"url": ext("parent-goal"), "valueReference": {"reference": full_url(w.plan.id, goal.id)}}
    )
    if obj.baseline is not None:
        extensions.append(
            {"url": ext("baseline"), "valueDecimal": _decimal(obj.baseline, f"{where}.baseline")}
        )
    if obj.target_week is not None:
        extensions.append({"url": ext("target-week"), "valueInteger": obj.target_week})
    if obj.remeasure_every_weeks is not None:
        extensions.append(
            {"url": ext("remeasure-every-weeks"), "valuePositiveInt": obj.remeasure_every_weeks}
        )
    extensions += _facts(w, "linked-fact", obj.linked_facts)
    if obj.kind == "completion":
        # A dated one-off step: no target measure (there is nothing to count), its due date in the target or
        # the target-week extension, and who does it in an extension (exact) and a note (for people).
        extensions.append({"url": ext("objective-kind"), "valueCode": "completion"})
        extensions += _string_ext("done-by", obj.who)
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "extension": extensions,
        "identifier": [_identifier(obj.id)],
        "lifecycleStatus": "proposed",
        "category": [{"text": "objective" if obj.kind == "measured" else "objective (one-off step)"}],
        "description": _text_concept(obj.description),
        "subject": {"reference": w.patient_url},
        "addresses": [{"reference": full_url(w.plan.id, problem.id)}],
    }
    if targets:
        resource["target"] = targets
    if obj.kind == "completion" and obj.who:
        from ..markdown import md_text

        resource["note"] = [{"text": "Done by: " + md_text(obj.who)}]
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
        notes.append(
            _note(
                f"Deferred concern {w.fact(d.concern_id).get('display', d.concern_id)}: {d.reason}",
                _complex(
                    "deferral",
                    [("id", "Identifier", _identifier(d.id)), ("concern", "Reference", w.fact(d.concern_id))]
                    + ([("reason", "String", d.reason)] if d.reason else []),
                ),
            )
        )
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
        notes.append(
            _note(
                f"Safety plan: {plan.safety_plan}",
                _complex("safety-plan", [("text", "String", plan.safety_plan)]),
            )
        )
    p = plan.participation
    parts = [
        ("patientParticipated", "Boolean", p.patient_participated),
        ("agreementRecorded", "Boolean", p.agreement_recorded),
        ("copyGiven", "Boolean", p.copy_given),
    ] + ([("note", "String", p.note)] if p.note else [])
    yes = {True: "yes", False: "no"}
    notes.append(
        _note(
            f"Participation: took part {yes[p.patient_participated]}; agreement recorded "
            f"{yes[p.agreement_recorded]};"
            f" copy given {yes[p.copy_given]}. {p.note}",
            _complex("participation", parts),
        )
    )
    r = plan.review
    parts = []
    if r.review_week is not None:
        parts.append(("reviewWeek", "Integer", r.review_week))
    if r.review_date is not None:
        parts.append(("reviewDate", "Date", r.review_date.isoformat()))
    parts += [("earlyReviewTrigger", "String", t) for t in r.early_review_triggers]
    when = (
        r.review_date.isoformat()
        if r.review_date
        else (f"week {r.review_week}" if r.review_week is not None else "not set")
    )
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
        raise InvalidInput([InputProblem(f"plan is for {plan.case_id!r}, not {case.id!r}", field="case_id")])
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
    for record in plan.event_revisions:
        # What changed for each event revised for (the drafting session's record): one complex extension each.
        extensions.append(
            {
                "url": ext("event-revision"),
                "extension": [
                    {"url": "event", "valueReference": w.fact(record.event_id)},
                    *({"url": "changed-element", "valueString": e} for e in record.changed_elements),
                    *({"url": "changed-section", "valueCode": s} for s in record.changed_sections),
                ],
            }
        )
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
    w.add(
        w.patient_url,
        {
            "resourceType": "Patient",
            "identifier": [{"system": CASE_SYSTEM, "value": plan.case_id}],
            "text": {
                "status": "generated",
                "div": (
                    '<div xmlns="http://www.w3.org/1999/xhtml">Synthetic teaching case; no real person.</div>'
                ),
            },
        },
    )
    for url, resource in conditions + goals:
        w.add(url, resource)
    if w.role_urls:
        w.add(
            careteam_url,
            {
                "resourceType": "CareTeam",
                "subject": {"reference": w.patient_url},
                "participant": [
                    {"role": [{"text": role}], "member": {"reference": url}}
                    for role, url in w.role_urls.items()
                ],
            },
        )
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
