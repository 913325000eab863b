"""Permanent element ids.

Annotations anchor to plan elements by id, so an id is made once, when the element is created, and never
changes through edits, reordering or revisions. Ids are short, readable prefixes plus random hex.
"""

from __future__ import annotations

import secrets

ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$"

PREFIXES = {
    "problem": "prb",
    "goal": "gol",
    "objective": "obj",
    "intervention": "int",
    "strength_use": "stu",
    "barrier_plan": "bar",
    "discharge": "dis",
    "deferral": "def",
    "plan": "plan",
}


def new_id(kind: str) -> str:
    """A fresh permanent id for a plan element of ``kind`` (a key of PREFIXES)."""
    return f"{PREFIXES[kind]}-{secrets.token_hex(4)}"
