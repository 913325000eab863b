"""Competency progress and the gradebook: rubric levels per criterion over cases and revisions, as tables.

Pure functions over the store's ``ScorePoint`` records (``PlanStore.score_history``), the rubric (criteria
are shown by their titles) and the case titles; the plots and HTML are in ``views.progress``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ..model import Rubric
from ..store.records import PlanStatus, ScorePoint

LEVELS = (1, 2, 3, 4)
LONG_COLUMNS = [
    "username",
    "display_name",
    "case_id",
    "case",
    "revision",
    "revised_at",
    "criterion_id",
    "criterion",
    "level",
    "raters",
]
CANVAS_ID_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "    Points Possible"
"""The label of the optional second row of a Canvas gradebook CSV (as Canvas's own export writes it)."""


def _rubric_points(points: Sequence[ScorePoint], rubric: Rubric) -> list[ScorePoint]:
    criteria = {c.id for c in rubric.criteria}
    return [p for p in points if p.rubric_id == rubric.id and p.criterion_id in criteria]


def progress_frame(
    points: Sequence[ScorePoint], rubric: Rubric, case_titles: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The long table: one row per trainee, case, scored revision and criterion, oldest revision first."""
    titles = {c.id: c.title for c in rubric.criteria}
    cases = case_titles or {}
    order = {c.id: n for n, c in enumerate(rubric.criteria)}
    rows = [
        (
            p.trainee,
            p.display_name,
            p.case_id,
            cases.get(p.case_id, p.case_id),
            p.revision,
            p.revised_at,
            p.criterion_id,
            titles[p.criterion_id],
            p.score,
            p.raters,
        )
        for p in sorted(
            _rubric_points(points, rubric), key=lambda p: (p.revised_at, p.draft_id, order[p.criterion_id])
        )
    ]
    return pd.DataFrame.from_records(rows, columns=LONG_COLUMNS)


def scored_revisions(points: Sequence[ScorePoint], trainee: str) -> list[tuple[int, int, str]]:
    """The trainee's scored revisions in time order: (draft_id, revision, case_id)."""
    seen: dict[tuple[int, int], tuple[object, str]] = {}
    for p in points:
        if p.trainee == trainee:
            seen.setdefault((p.draft_id, p.revision), (p.revised_at, p.case_id))
    ordered = sorted(seen.items(), key=lambda item: (item[1][0], item[0]))
    return [(d, r, str(case)) for (d, r), (_, case) in ordered]


def trainee_progress(
    points: Sequence[ScorePoint],
    rubric: Rubric,
    trainee: str,
    case_titles: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per criterion (rubric order, by title), one column per scored revision in time order
    ("<case title>, revision N"); a cell is the level (mean of raters), empty where not scored."""
    mine = [p for p in _rubric_points(points, rubric) if p.trainee == trainee]
    revisions = scored_revisions(mine, trainee)
    cases = case_titles or {}
    labels = {(d, r): f"{cases.get(case, case)}, revision {r}" for d, r, case in revisions}
    level = {(p.draft_id, p.revision, p.criterion_id): p.score for p in mine}
    data = {labels[(d, r)]: [level.get((d, r, c.id)) for c in rubric.criteria] for d, r, _ in revisions}
    frame = pd.DataFrame(data, index=[c.title for c in rubric.criteria], dtype="float")
    frame.index.name = "criterion"
    return frame


def latest_levels(points: Sequence[ScorePoint], rubric: Rubric) -> pd.DataFrame:
    """Each trainee's newest level per criterion (over all their cases): rows trainee, columns criterion
    titles in rubric order."""
    newest: dict[tuple[str, str], ScorePoint] = {}
    for p in sorted(_rubric_points(points, rubric), key=lambda p: (p.revised_at, p.draft_id, p.revision)):
        newest[(p.trainee, p.criterion_id)] = p
    trainees = sorted({t for t, _ in newest})
    data = {
        c.title: [newest[(t, c.id)].score if (t, c.id) in newest else None for t in trainees]
        for c in rubric.criteria
    }
    return pd.DataFrame(data, index=pd.Index(trainees, name="username"), dtype="float")


def cohort_distribution(points: Sequence[ScorePoint], rubric: Rubric) -> pd.DataFrame:
    """Per criterion (rows, by title): how many trainees are at each level now (their newest score, rounded
    half up when raters differ), how many are scored, and how many at or above the rubric's competent line."""
    latest = latest_levels(points, rubric)
    rows = []
    for c in rubric.criteria:
        values = latest[c.title].dropna() if c.title in latest else pd.Series(dtype="float")
        rounded = [int(v + 0.5) for v in values]
        rows.append(
            [c.title, *(rounded.count(level) for level in LEVELS), len(rounded)]
            + [sum(1 for v in values if v >= rubric.competent_at)]
        )
    columns = ["criterion", *(f"level {level}" for level in LEVELS), "scored", "competent"]
    return pd.DataFrame.from_records(rows, columns=columns).set_index("criterion")


# ---------------------------------------------------------------------- gradebook


def assignment_points(points: Sequence[ScorePoint], rubric: Rubric) -> dict[tuple[str, str], float]:
    """(username, case_id) -> points: the sum of the levels of the newest revision scored on every one of
    the rubric's criteria. A revision scored on only some criteria is not a grade yet (left out)."""
    by_revision: dict[tuple[str, str, int, int], dict[str, ScorePoint]] = {}
    for p in _rubric_points(points, rubric):
        by_revision.setdefault((p.trainee, p.case_id, p.draft_id, p.revision), {})[p.criterion_id] = p
    needed = {c.id for c in rubric.criteria}
    best: dict[tuple[str, str], tuple[object, float]] = {}
    for (trainee, case, _, _), scored in by_revision.items():
        if set(scored) != needed:
            continue
        when = max(p.revised_at for p in scored.values())
        total = round(sum(p.score for p in scored.values()), 2)
        if (trainee, case) not in best or when > best[(trainee, case)][0]:  # type: ignore[operator]
            best[(trainee, case)] = (when, total)
    return {key: total for key, (_, total) in best.items()}


def canvas_gradebook(
    statuses: Sequence[PlanStatus],
    points: Sequence[ScorePoint],
    rubric: Rubric,
    case_titles: Mapping[str, str],
    sections: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """The layout Canvas's gradebook import takes: Student, ID, SIS User ID, SIS Login ID, Section, then one
    column per assignment (case title; a new name makes a new assignment in Canvas), one row per trainee,
    after a "Points Possible" row. Student is the display name, SIS Login ID the username (Canvas matches
    on it when ID is empty); Section the trainee's cohorts. An empty cell is no grade yet."""
    grades = assignment_points(points, rubric)
    possible = float(max(LEVELS) * len(rubric.criteria))
    cases = sorted({s.case_id for s in statuses}, key=lambda c: (case_titles.get(c, c), c))
    titles: list[str] = []
    for c in cases:  # two cases with one title would merge in Canvas: number the later ones
        title = case_titles.get(c, c)
        titles.append(
            title if title not in titles else f"{title} ({sum(t.startswith(title) for t in titles) + 1})"
        )
    trainees: dict[str, str] = {}
    for s in statuses:
        trainees.setdefault(s.trainee, s.display_name)
    assigned = {(s.trainee, s.case_id) for s in statuses}
    sections = sections or {}
    rows: list[list[object]] = [[POINTS_POSSIBLE, "", "", "", "", *([possible] * len(cases))]]
    for username in sorted(trainees, key=lambda u: (trainees[u].casefold(), u)):
        cells = [grades.get((username, c)) if (username, c) in assigned else None for c in cases]
        rows.append([trainees[username], "", "", username, ", ".join(sections.get(username, ())), *cells])
    return pd.DataFrame.from_records(rows, columns=[*CANVAS_ID_COLUMNS, *titles])
