"""A roster of 40 people in 3 cohorts (one admin, a supervisor and 12 trainees per cohort), as CSV text."""

from __future__ import annotations

COHORTS = ("Year 1", "Year 2", "Year 3")


def roster_csv(extra: str = "") -> str:
    lines = ["username,display_name,role,cohorts", "lead,Programme Lead,admin,"]
    for n, cohort in enumerate(COHORTS):
        lines.append(f"sup{n},Dr. Supervisor {n},supervisor,{cohort}")
    for i in range(36):
        lines.append(f"t{i:02d},Trainee {i:02d},trainee,{COHORTS[i % 3]}")
    return "\n".join(lines) + "\n" + extra
