"""``itp cohort create|add|remove|list``: training groups. Several cohorts (and courses) share a deployment;
a supervisor in a cohort supervises its trainees and sees only their drafts."""

from __future__ import annotations

from ..errors import NotFound
from .people import open_store, store_options


def register(sub) -> None:
    p = sub.add_parser("cohort", help="training groups: create, add or remove people, list")
    csub = p.add_subparsers(dest="cohort_command", metavar="ACTION")
    csub.required = True

    s = csub.add_parser("create", help="a new cohort")
    s.add_argument("name")
    s.add_argument("--course", help="the course the cohort takes (several courses can share a deployment)")
    store_options(s)
    s.set_defaults(handler=run_create)

    for name, what in (("add", "put people in a cohort"), ("remove", "take people out of a cohort")):
        s = csub.add_parser(name, help=what)
        s.add_argument("name", help="the cohort")
        s.add_argument("usernames", nargs="+", metavar="USERNAME")
        store_options(s)
        s.set_defaults(handler=run_add if name == "add" else run_remove)

    s = csub.add_parser("list", help="every cohort you can see, with its course and people")
    store_options(s)
    s.set_defaults(handler=run_list)


def run_create(args) -> int:
    store, actor = open_store(args)
    try:
        cohort = store.add_cohort(args.name, course=args.course, actor=actor)
    finally:
        store.close()
    course = f" (course {cohort.course})" if cohort.course else ""
    print(f"created cohort {cohort.name}{course}")
    return 0


def _known(store, usernames: list[str], actor: str) -> None:
    """Every name checked before anything changes: one unknown name changes nothing."""
    known = {p.username for p in store.list_people(actor=actor)}
    missing = [u for u in usernames if u not in known]
    if missing:
        raise NotFound(f"no person {', '.join(repr(u) for u in missing)}; nobody was changed")


def run_add(args) -> int:
    store, actor = open_store(args)
    try:
        cohort = store.find_cohort(args.name, actor=actor)
        _known(store, args.usernames, actor)
        before = {m.username for m in store.list_cohort_members(cohort.id, actor=actor)}
        for username in args.usernames:
            store.add_to_cohort(cohort.id, username, actor=actor)
    finally:
        store.close()
    added = [u for u in dict.fromkeys(args.usernames) if u not in before]
    print(
        f"{cohort.name}: added {', '.join(added)}"
        if added
        else f"{cohort.name}: all of them were in it already"
    )
    return 0


def run_remove(args) -> int:
    store, actor = open_store(args)
    try:
        cohort = store.find_cohort(args.name, actor=actor)
        _known(store, args.usernames, actor)
        removed = [
            u for u in dict.fromkeys(args.usernames) if store.remove_from_cohort(cohort.id, u, actor=actor)
        ]
    finally:
        store.close()
    print(
        f"{cohort.name}: removed {', '.join(removed)}"
        if removed
        else f"{cohort.name}: none of them was in it"
    )
    return 0


def run_list(args) -> int:
    store, actor = open_store(args)
    try:
        lines = []
        for c in store.list_cohorts(actor=actor):
            members = store.list_cohort_members(c.id, actor=actor)
            trainees = [m.username for m in members if m.role == "trainee"]
            supervisors = [m.username for m in members if m.role == "supervisor"]
            course = f" (course {c.course})" if c.course else ""
            lines.append(
                f"{c.name}{course}: {len(trainees)} trainees, supervisors {', '.join(supervisors) or 'none'}"
            )
            if trainees:
                lines.append(f"  {', '.join(trainees)}")
    finally:
        store.close()
    print("\n".join(lines) if lines else "no cohorts")
    return 0
