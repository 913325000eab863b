"""The commented skeleton ``itp cases new --template`` writes: every field a teaching case has, with what
makes it teach, and ``~`` (empty) wherever the author must write something.

An empty required field fails ``itp cases validate`` with its file, line and field, so a half-filled case
cannot ship; a filled one validates. Ids are given (rename them if you like: they must stay unique, lower
case, with a hyphen, and every reference to them must follow).
"""

from __future__ import annotations

PLACEHOLDER = "~"
"""What an unfilled field holds (YAML null): required text left like this fails validation."""
FILL_MARK = "# FILL"
"""Every line the author must fill ends with this comment (and says what goes there)."""

SKELETON = """\
# Synthetic teaching case. Every detail is invented; no real person is described.
# Fill every line marked FILL (replace ~ with the text), then run:  itp cases validate {file}
# What makes a good teaching case: case_studies/README.md. Field reference: itp schema case.
id: {case_id}
title: ~  # FILL: one line a trainee recognises the person by (no name), e.g. "A night-shift nurse who ..."
setting: ~  # FILL: where care happens and what it offers: hours, telehealth, session limits, waitlists, cost

demographics:  # no names, dates, places smaller than a state, or ages over 89 (HIPAA Safe Harbor)
  age: ~  # FILL: 10-89 (or remove and give age_band: "60-69")
  gender: ~  # FILL: as the person describes it
  pronouns: ~  # FILL: e.g. she/her (or remove the line)
  occupation: ~  # FILL: work, school or "retired"; hours matter if they clash with clinic hours
  living_situation: ~  # FILL: who they live with; supports and obligations show up here

# What the plan must address or explicitly defer. Make at least one ambiguous: two readings a trainee
# must weigh (grief or depression? a medical cause?).
presenting_concerns:
  - id: pc-first
    summary: ~  # FILL: the concern in plain words
    frequency_intensity: ~  # FILL: how often and how severe, observably ("3 panic attacks a week")
  - id: pc-second
    summary: ~  # FILL
    frequency_intensity: ~  # FILL

history: ~  # FILL: onset, course, past care and what happened with it, family history
cultural_social_context: ~  # FILL: culture, faith, family, community, money; how they shape help-seeking
mental_status: ""  # optional: appearance, mood and affect, thought, cognition at intake
formulation: ~  # FILL: why now, what keeps it going, what protects; the 4 Ps in prose

working_diagnosis:
  - label: ~  # FILL: e.g. Major depressive disorder, single episode, moderate
    code: ~  # FILL: DSM-5-TR or ICD-10-CM code, e.g. F32.1
    system: DSM-5-TR  # or ICD-10-CM, ICD-11
    provisional: false  # true while a question is open

# Strengths and natural supports the plan should build on (kind: personal, natural_support, community,
# skill or value).
strengths:
  - id: s-first
    text: ~  # FILL: something specific enough to plan with ("runs 5 km three mornings a week")
    kind: personal
  - id: s-support
    text: ~  # FILL: a person or group who helps
    kind: natural_support

# Barriers of BOTH kinds: access (transport, cost, waitlist, work_hours, childcare, language, digital_access,
# insurance, housing) and engagement (stigma, ambivalence, mistrust). The structured fields let the critique
# check a plan against them: remove the ones that do not apply.
barriers:
  - id: b-access
    text: ~  # FILL: the access barrier in the case's words
    kind: work_hours  # the access kind that fits
    applies_to: ""  # what it stands in the way of ("individual therapy", "the clinic in town"); "" = all
    formats: []  # kinds of care it applies to: individual, group, family, couple, peer_support, medication...
    unavailable: []  # when they cannot attend: morning, afternoon, evening, night, weekend
    attend_at_most_per_week: null  # e.g. 1 if they can come once a week at most
    wait_weeks: null  # waitlist: weeks from intake until the care can start
    ends_week: null  # the week the service stops (a school centre closing for the summer)
    escorts: []  # who takes them to care and when not: who (her parents), unavailable (morning, ...)
  - id: b-engagement
    text: ~  # FILL: what makes care hard to accept ("thinks therapy is for people who are weak")
    kind: stigma  # or ambivalence, mistrust

# Their own words, verbatim: at least one hope a goal can be written in (kind: complaint, hope or view).
patient_words:
  - id: q-hope
    text: ~  # FILL: a hope, in their words
    kind: hope
  - id: q-view
    text: ~  # FILL: how they see the problem, in their words
    kind: view

risk:
  level: low  # none, low, moderate or high
  summary: ~  # FILL: what was asked, what was found, protective factors
  safety_plan_needed: false

# Standard measures at intake (PHQ-9, GAD-7, PCL-5, AUDIT, AUDIT-C, EPDS); scores must agree with the
# narrative (a "moderate" story with a "severe" score teaches the wrong thing).
measures:
  - instrument: ~  # FILL: e.g. PHQ-9
    week: 0
    score: ~  # FILL: the total, within the instrument's range

# A life change at a later week that should prompt a revision; scores taken then go with it.
# risk: true when the event raises the risk of harm to self (the plan's safety content must be revised).
timeline:
  - id: ev-change
    week: 6
    title: ~  # FILL: what happened, in a few words
    description: ~  # FILL: what happened and what it changes for the plan
    risk: false
    ends: []  # what it stops: what (sertraline), kind (medication, service, support), from_week
    restarts: []  # what an earlier event stopped and this one brings back, by the name that event gave it
    resolves: []  # barriers it removes, by id (hearing aids fitted, a therapy slot now open)
    measures:
      - instrument: ~  # FILL: the same instrument as at intake
        week: 6
        score: ~  # FILL

# Supervisor-only: never shown to trainees.
teaching_notes: ~  # FILL: what the case teaches and the traps a trainee may fall into
discussion_questions:
  - ~  # FILL: a question for the debrief
# reference_plan: a plan at the case's stated week to the library's standard (see an existing case);
# add it once the case is written: `itp critique` on it should show no problem-level finding.
"""


def case_skeleton(case_id: str, file_name: str) -> str:
    """The skeleton for a new case ``case_id``, telling the author to validate ``file_name``."""
    return SKELETON.format(case_id=case_id, file=file_name)
