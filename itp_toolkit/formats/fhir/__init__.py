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

from .codes import FHIR_VERSION, validate_bundle
from .read import fhir_bundle_to_plan
from .write import plan_to_fhir_bundle

__all__ = ["FHIR_VERSION", "fhir_bundle_to_plan", "plan_to_fhir_bundle", "validate_bundle"]
