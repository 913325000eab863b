"""``itp assign CASE --cohort NAME|--trainee USERNAME [--due YYYY-MM-DD]``: set a case, with a due date.

Trainees see the due date in words ("due in 3 days", "overdue") on their "My plans" list; supervisors see it
on the admin page. Assigning again changes the due date; nothing is ever assigned twice.
"""

from __future__ import annotations

import datetime as dt

from ..errors import NotFound
from .people import open_store, store_options, workspace_cases


def due_date(value: str) -> dt.date:
    """``YYYY-MM-DD``, or a clear refusal (argparse turns it into exit 2 with one line)."""
    import argparse

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2026-12-14"
        ) from None


def register(sub) -> None:
    p = sub.add_parser("assign", help="set a case for a cohort or one trainee, with a due date")
    p.add_argument("case_id", metavar="CASE", help="case id (itp cases list)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--cohort", help="the cohort's name")
    who.add_argument("--trainee", help="one trainee's username")
    p.add_argument("--due", type=due_date, help="due date, YYYY-MM-DD")
    store_options(p)
    p.set_defaults(handler=run_assign)


def run_assign(args) -> int:
    cases = workspace_cases(args)
    if args.case_id not in cases:
        raise NotFound(f"no case {args.case_id!r} in the case library (see: itp cases list)")
    store, actor = open_store(args)
    try:
        if args.cohort is not None:
            cohort = store.find_cohort(args.cohort, actor=actor)
            assignment = store.assign_case(args.case_id, cohort_id=cohort.id, due_on=args.due, actor=actor)
            target = f"cohort {cohort.name}"
        else:
            if not any(p.username == args.trainee for p in store.list_people(role="trainee", actor=actor)):
                raise NotFound(f"no trainee {args.trainee!r}")
            assignment = store.assign_case(args.case_id, trainee=args.trainee, due_on=args.due, actor=actor)
            target = args.trainee
    finally:
        store.close()
    due = f", due {assignment.due_on.isoformat()}" if assignment.due_on else ", no due date"
    print(f"{cases[args.case_id].title} is set for {target}{due}")
    return 0
