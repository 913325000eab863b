"""FHIR systems, extension URLs and the code checks ``fhir.resources`` does not make.

The Bundle's structure is validated by ``fhir.resources`` (R4B); statuses, kinds and LOINC codes are checked
here against the value sets the toolkit emits.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from pydantic import ValidationError

from ...errors import InputProblem, validation_problems
from ...model.measures import INSTRUMENTS

FHIR_VERSION = "4.3.0"
"""FHIR R4B: CarePlan keeps interventions inline (``activity.detail``), as most receiving systems still
expect."""

EXT_BASE = "https://itp-toolkit.invalid/fhir/StructureDefinition/"
"""Our extensions live under ``.invalid`` (RFC 2606): they are ours, and nobody can mistake them for HL7's."""

ELEMENT_SYSTEM = "urn:itp-toolkit:element"
"""Identifier system for a plan element's permanent toolkit id (problem, goal, objective, intervention...)."""
PLAN_SYSTEM = "urn:itp-toolkit:plan"
CASE_SYSTEM = "urn:itp-toolkit:case"
FACT_SYSTEM = "urn:itp-toolkit:case-fact"
"""Identifier system for facts of the case (concerns, strengths, barriers, quotes, events), referenced by
id."""

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
GOAL_LIFECYCLE = {
    "proposed",
    "planned",
    "accepted",
    "active",
    "on-hold",
    "completed",
    "cancelled",
    "entered-in-error",
    "rejected",
}
ACTIVITY_KIND = {
    "Appointment",
    "CommunicationRequest",
    "DeviceRequest",
    "MedicationRequest",
    "NutritionOrder",
    "Task",
    "ServiceRequest",
    "VisionPrescription",
}
ACTIVITY_STATUS = {
    "not-started",
    "scheduled",
    "in-progress",
    "on-hold",
    "completed",
    "cancelled",
    "stopped",
    "unknown",
    "entered-in-error",
}


def ext(name: str) -> str:
    """The full URL of one of our extensions."""
    return EXT_BASE + name


def full_url(plan_id: str, key: str) -> str:
    """A stable ``urn:uuid:`` for an element: the same plan exports to the same Bundle, byte for byte."""
    return f"urn:uuid:{uuid.uuid5(UUID_NAMESPACE, f'{plan_id}/{key}')}"


def validate_bundle(bundle: Any, *, source: str = "<bundle>") -> list[InputProblem]:
    """Structure (``fhir.resources`` R4B) and the codes it does not check (statuses, kinds, LOINC)."""
    from fhir.resources.R4B.bundle import Bundle

    if not isinstance(bundle, dict):
        return [InputProblem("expected a FHIR Bundle (a JSON object)", field="Bundle", file=source)]
    if bundle.get("resourceType") != "Bundle":
        return [InputProblem("expected resourceType 'Bundle'", field="resourceType", file=source)]
    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        return validation_problems(exc, file=source)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:  # fhir.resources' own lookups
        return [InputProblem(f"not a valid FHIR Bundle: {exc}", field="Bundle", file=source)]
    problems = []
    for i, entry in enumerate(bundle.get("entry") or []):
        problems += _code_problems(entry.get("resource") or {}, f"entry[{i}].resource", source)
    return problems


def _code_problems(resource: dict[str, Any], where: str, source: str) -> list[InputProblem]:
    problems = []

    def bad(field: str, message: str) -> None:
        problems.append(InputProblem(message, field=f"{where}.{field}", file=source))

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
                    bad(
                        f"target[{ti}].measure.coding[{ci}].code",
                        f"LOINC {coding.get('code')!r} is not one of the toolkit's measures",
                    )
    elif kind == "Condition":
        for ci, coding in enumerate((resource.get("code") or {}).get("coding") or []):
            if coding.get("system") == ICD10CM and not ICD10CM_PATTERN.match(str(coding.get("code", ""))):
                bad(f"code.coding[{ci}].code", f"{coding.get('code')!r} is not an ICD-10-CM code")
    return problems
