"""The database keeps the store's rules on feedback, submissions, workshop drafts and plans (issue 13).

Revision ID: 0007
Revises: 0006 (there is no 0003 or 0005: numbers were handed out to parallel branches)
Create Date: 2026-11-30

A trainee or supervisor with the database URL can skip every Python check, so these rules are triggers and an
index, which bind every connection (row-level security then narrows what each person's role may touch):

- one draft per participant per workshop (a partial unique index, both databases), and a workshop draft is for
  the workshop's case (a trigger, both databases);
- a revision is a plan for its draft's case: at most 500,000 bytes of JSON, an object with string ``id`` and
  ``case_id``, list fields as lists (a trigger, both databases; the store validates the whole plan first; on
  PostgreSQL an AFTER trigger, so row-level security refuses someone else's draft first);
- PostgreSQL only, where people connect as their own roles: a released score never changes and a released
  comment or 'not applicable here' only gets marked resolved or withdrawn; only the rater changes a score;
  feedback and submission timestamps written through a person's role are the database's clock; submissions
  follow the state machine (a saved revision of the draft; nothing after a submitted or signed-off one; a
  decision once, on the newest submission; out of signed off only by a supervisor); and a join code is looked
  up by a function that waits half a second on a miss, the only way a trainee can test a code.

Existing rows are not re-checked. ``itp db secure`` (``db_security.install``) gives these functions to the
owner role and pins their ``search_path``; run it again after upgrading, as after every upgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_PLAN_BYTES = 500_000  # the store's limit (store/inputs.py) at the time of writing; fixed here on purpose
LIST_FIELDS = (
    "revised_for_events",
    "event_revisions",
    "diagnoses",
    "problems",
    "deferred_concerns",
    "strengths_used",
    "barriers",
    "discharge_criteria",
)
JOIN_MISS_DELAY_S = 0.5

_ME = "(SELECT username FROM people WHERE db_role = current_user)"
"""The person connected through their own role; NULL for the deployment's own user (server, migrations)."""

_SQLITE_LISTS = " ".join(
    f"OR coalesce(json_type(NEW.plan_json, '$.{f}'), 'array') <> 'array'" for f in LIST_FIELDS
)
_SQL_LISTS = ", ".join(f"'{f}'" for f in LIST_FIELDS)

_SQLITE = [
    f"""CREATE TRIGGER revisions_plan_shape BEFORE INSERT ON revisions
        WHEN length(CAST(NEW.plan_json AS BLOB)) > {MAX_PLAN_BYTES}
          OR NOT json_valid(NEW.plan_json)
          OR json_type(NEW.plan_json) IS NOT 'object'
          OR json_type(NEW.plan_json, '$.id') IS NOT 'text'
          OR json_type(NEW.plan_json, '$.case_id') IS NOT 'text'
          OR json_extract(NEW.plan_json, '$.case_id')
             IS NOT (SELECT case_id FROM drafts WHERE id = NEW.draft_id)
          {_SQLITE_LISTS}
        BEGIN
          SELECT RAISE(ABORT, 'a revision must be a plan for its draft''s case, at most {MAX_PLAN_BYTES} B');
        END""",
    """CREATE TRIGGER drafts_workshop_case BEFORE INSERT ON drafts
        WHEN NEW.workshop_id IS NOT NULL
         AND NEW.case_id IS NOT (SELECT case_id FROM workshops WHERE id = NEW.workshop_id)
        BEGIN SELECT RAISE(ABORT, 'a workshop draft is for the workshop''s case'); END""",
]
_SQLITE_DROP = ["DROP TRIGGER revisions_plan_shape", "DROP TRIGGER drafts_workshop_case"]

_REFUSE = "USING ERRCODE = 'insufficient_privilege'"

_POSTGRES_FUNCTIONS = {
    "itp_check_plan()": f"""
        DECLARE plan jsonb; draft_case text;
        BEGIN
          IF octet_length(NEW.plan_json) > {MAX_PLAN_BYTES} THEN
            RAISE EXCEPTION 'a plan is at most {MAX_PLAN_BYTES} bytes; this one is %',
              octet_length(NEW.plan_json) USING ERRCODE = 'check_violation';
          END IF;
          BEGIN
            plan := NEW.plan_json::jsonb;
          EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'a revision must be JSON' USING ERRCODE = 'check_violation';
          END;
          SELECT case_id INTO draft_case FROM drafts WHERE id = NEW.draft_id;
          IF jsonb_typeof(plan) IS DISTINCT FROM 'object'
             OR jsonb_typeof(plan -> 'id') IS DISTINCT FROM 'string'
             OR jsonb_typeof(plan -> 'case_id') IS DISTINCT FROM 'string'
             OR plan ->> 'case_id' IS DISTINCT FROM draft_case
             OR EXISTS (SELECT 1 FROM unnest(ARRAY[{_SQL_LISTS}]) AS f
                        WHERE plan ? f AND jsonb_typeof(plan -> f) <> 'array') THEN
            RAISE EXCEPTION 'a revision must be a plan (id, case_id, lists) for its draft''s case %',
              draft_case USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END""",
    "itp_guard_score()": f"""
        DECLARE me text := {_ME};
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF me IS NOT NULL THEN NEW.created_at := now(); END IF;
            RETURN NEW;
          END IF;
          IF OLD.released THEN
            IF NEW IS DISTINCT FROM OLD THEN
              RAISE EXCEPTION 'a released score is part of the record and cannot change' {_REFUSE};
            END IF;
            RETURN NEW;
          END IF;
          IF (NEW.id, NEW.draft_id, NEW.revision, NEW.rubric_id, NEW.criterion_id, NEW.rater)
             IS DISTINCT FROM
             (OLD.id, OLD.draft_id, OLD.revision, OLD.rubric_id, OLD.criterion_id, OLD.rater) THEN
            RAISE EXCEPTION 'a score stays on its revision, criterion and rater' {_REFUSE};
          END IF;
          IF me IS NOT NULL AND (NEW.score, NEW.comment, NEW.created_at)
                                IS DISTINCT FROM (OLD.score, OLD.comment, OLD.created_at) THEN
            IF OLD.rater <> me THEN
              RAISE EXCEPTION 'only % may change their score', OLD.rater {_REFUSE};
            END IF;
            NEW.created_at := now();
          END IF;
          RETURN NEW;
        END""",
    "itp_guard_comment()": f"""
        DECLARE me text := {_ME};
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF me IS NOT NULL THEN NEW.created_at := now(); END IF;
            RETURN NEW;
          END IF;
          IF (NEW.id, NEW.draft_id, NEW.revision, NEW.author, NEW.created_at)
             IS DISTINCT FROM (OLD.id, OLD.draft_id, OLD.revision, OLD.author, OLD.created_at)
             OR (OLD.released AND NOT NEW.released) THEN
            RAISE EXCEPTION 'feedback keeps its author, revision and time, and stays released' {_REFUSE};
          END IF;
          IF OLD.released AND TG_TABLE_NAME = 'annotations' THEN  -- nested: dismissals have no body
            IF (NEW.element_id, NEW.body, NEW.tags, NEW.parent_id)
               IS DISTINCT FROM (OLD.element_id, OLD.body, OLD.tags, OLD.parent_id) THEN
              RAISE EXCEPTION 'a released comment can only be marked resolved' {_REFUSE};
            END IF;
          END IF;
          RETURN NEW;
        END""",
    "itp_dismissal_fields_frozen()": f"""
        BEGIN
          IF OLD.released AND (NEW.rule, NEW.element_id, NEW.subject, NEW.reason)
             IS DISTINCT FROM (OLD.rule, OLD.element_id, OLD.subject, OLD.reason) THEN
            RAISE EXCEPTION 'a released decision can only be withdrawn' {_REFUSE};
          END IF;
          RETURN NEW;
        END""",
    "itp_guard_submission()": f"""
        DECLARE me text := {_ME}; my_role text; newest submissions%ROWTYPE;
        BEGIN
          SELECT role INTO my_role FROM people WHERE username = me;
          PERFORM 1 FROM drafts WHERE id = NEW.draft_id FOR UPDATE;  -- one state change of a draft at a time
          SELECT * INTO newest FROM submissions WHERE draft_id = NEW.draft_id ORDER BY id DESC LIMIT 1;
          IF TG_OP = 'INSERT' THEN
            IF NEW.status <> 'submitted' OR NEW.decided_by IS NOT NULL OR NEW.decided_at IS NOT NULL THEN
              RAISE EXCEPTION 'a submission starts as submitted, undecided' {_REFUSE};
            END IF;
            IF NOT EXISTS (SELECT 1 FROM revisions
                           WHERE draft_id = NEW.draft_id AND number = NEW.revision) THEN
              RAISE EXCEPTION 'draft % has no revision %', NEW.draft_id, NEW.revision {_REFUSE};
            END IF;
            IF newest.status IN ('submitted', 'accepted') THEN
              RAISE EXCEPTION 'this draft is already %', newest.status {_REFUSE};
            END IF;
            IF me IS NOT NULL THEN NEW.submitted_at := now(); END IF;
            RETURN NEW;
          END IF;
          IF (NEW.id, NEW.draft_id, NEW.revision, NEW.submitted_by, NEW.submitted_at)
             IS DISTINCT FROM (OLD.id, OLD.draft_id, OLD.revision, OLD.submitted_by, OLD.submitted_at) THEN
            RAISE EXCEPTION 'a submission keeps its draft, revision and author' {_REFUSE};
          END IF;
          IF NEW IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;
          END IF;
          IF OLD.id <> newest.id THEN
            RAISE EXCEPTION 'only the newest submission of a draft can be decided' {_REFUSE};
          END IF;
          IF NOT ((OLD.status = 'submitted' AND NEW.status IN ('returned', 'accepted'))
                  OR (OLD.status = 'accepted' AND NEW.status = 'returned'
                      AND (me IS NULL OR my_role = 'supervisor'))) THEN
            RAISE EXCEPTION 'a % submission cannot become %', OLD.status, NEW.status {_REFUSE};
          END IF;
          IF me IS NOT NULL THEN NEW.decided_at := now(); END IF;
          RETURN NEW;
        END""",
    "itp_guard_workshop_draft()": f"""
        BEGIN
          IF NEW.workshop_id IS NOT NULL AND NEW.case_id IS DISTINCT FROM
             (SELECT case_id FROM workshops WHERE id = NEW.workshop_id) THEN
            RAISE EXCEPTION 'a workshop draft is for the workshop''s case' {_REFUSE};
          END IF;
          RETURN NEW;
        END""",
}

_POSTGRES_TRIGGERS = [
    ("revisions_plan_shape", "AFTER INSERT ON revisions", "itp_check_plan()"),
    ("rubric_scores_guard", "BEFORE INSERT OR UPDATE ON rubric_scores", "itp_guard_score()"),
    ("annotations_guard", "BEFORE INSERT OR UPDATE ON annotations", "itp_guard_comment()"),
    ("finding_dismissals_guard", "BEFORE INSERT OR UPDATE ON finding_dismissals", "itp_guard_comment()"),
    (
        "finding_dismissals_frozen",
        "BEFORE UPDATE ON finding_dismissals",
        "itp_dismissal_fields_frozen()",
    ),
    ("submissions_state_machine", "BEFORE INSERT OR UPDATE ON submissions", "itp_guard_submission()"),
    (
        "drafts_workshop_case",
        "BEFORE INSERT OR UPDATE OF case_id, workshop_id ON drafts",
        "itp_guard_workshop_draft()",
    ),
]

_JOIN_LOOKUP = f"""
    CREATE FUNCTION itp_workshop_for_code(code text) RETURNS TABLE (found_id integer, found_phase text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $fn$
    BEGIN
      RETURN QUERY SELECT w.id, w.phase::text FROM workshops w
                   WHERE code IS NOT NULL AND code <> '' AND w.join_code = code;
      IF NOT FOUND THEN
        PERFORM pg_sleep({JOIN_MISS_DELAY_S});  -- a wrong guess costs time: codes cannot be tried in bulk
      END IF;
    END $fn$"""


def upgrade() -> None:
    op.create_index(
        "uq_drafts_owner_workshop",
        "drafts",
        ["owner", "workshop_id"],
        unique=True,
        sqlite_where=sa.text("workshop_id IS NOT NULL"),
        postgresql_where=sa.text("workshop_id IS NOT NULL"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE:
            op.execute(statement)
        return
    for signature, body in _POSTGRES_FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {signature} RETURNS trigger LANGUAGE plpgsql AS $fn$ {body} $fn$")
    for name, when, function in _POSTGRES_TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {function}")
    op.execute(_JOIN_LOOKUP)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_DROP:
            op.execute(statement)
    else:
        op.execute("DROP FUNCTION itp_workshop_for_code(text)")
        for name, when, _ in _POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON {when.split(' ON ')[1]}")
        for signature in _POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION {signature}")
    op.drop_index("uq_drafts_owner_workshop", "drafts")
