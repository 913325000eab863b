"""Competency progress and the gradebook as tables and plots: criterion titles, time order, the cohort's
distribution, Canvas's layout."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from itp_toolkit.checks.rubrics import default_rubric
from itp_toolkit.compare.progress import (
    CANVAS_ID_COLUMNS,
    assignment_points,
    canvas_gradebook,
    cohort_distribution,
    progress_frame,
    trainee_progress,
)
from itp_toolkit.model import Rubric
from itp_toolkit.store.records import PlanStatus, ScorePoint
from itp_toolkit.views.progress import progress_report_html, trainee_figure, trainee_table_html

T0 = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return default_rubric()


def _points(
    rubric: Rubric, trainee: str, case: str, draft: int, revision: int, day: int, level: float, n: int = 12
):
    return [
        ScorePoint(
            trainee=trainee,
            display_name=trainee.title(),
            case_id=case,
            draft_id=draft,
            revision=revision,
            revised_at=T0 + dt.timedelta(days=day),
            rubric_id=rubric.id,
            criterion_id=c.id,
            score=level,
            raters=1,
        )
        for c in rubric.criteria[:n]
    ]


def test_a_trainees_table_has_criterion_titles_and_revisions_in_time_order(rubric: Rubric) -> None:
    points = [
        *_points(rubric, "ana", "case-b", 2, 1, 10, 3),
        *_points(rubric, "ana", "case-a", 1, 2, 5, 2),
        *_points(rubric, "ana", "case-a", 1, 1, 1, 1, n=4),
        *_points(rubric, "ben", "case-a", 3, 1, 2, 4),
    ]
    table = trainee_progress(
        points, rubric, "ana", {"case-a": "Anxious student", "case-b": "Grieving father"}
    )
    assert list(table.columns) == [
        "Anxious student, revision 1",
        "Anxious student, revision 2",
        "Grieving father, revision 1",
    ]
    assert list(table.index) == [c.title for c in rubric.criteria]
    assert table.iloc[0].tolist() == [1.0, 2.0, 3.0]
    assert table.iloc[5].isna().tolist() == [True, False, False]
    html = trainee_table_html(table)
    assert "crit-" not in html and rubric.criteria[0].title in html


def test_the_cohort_distribution_counts_each_trainees_newest_level(rubric: Rubric) -> None:
    points = [
        *_points(rubric, "ana", "case-a", 1, 1, 1, 1),
        *_points(rubric, "ana", "case-a", 1, 2, 5, 3),  # newer: counts
        *_points(rubric, "ben", "case-a", 2, 1, 2, 2),
        *_points(rubric, "cara", "case-a", 3, 1, 2, 3.5),  # two raters 3 and 4: rounds half up
    ]
    dist = cohort_distribution(points, rubric)
    first = dist.loc[rubric.criteria[0].title]
    assert (first["level 1"], first["level 2"], first["level 3"], first["level 4"]) == (0, 1, 1, 1)
    assert first["scored"] == 3 and first["competent"] == 2


def test_a_grade_is_the_newest_fully_scored_revision(rubric: Rubric) -> None:
    points = [
        *_points(rubric, "ana", "case-a", 1, 1, 1, 2),
        *_points(rubric, "ana", "case-a", 1, 2, 5, 3, n=6),  # newer but partial: not a grade
        *_points(rubric, "ben", "case-a", 2, 3, 9, 4),
    ]
    assert assignment_points(points, rubric) == {("ana", "case-a"): 24.0, ("ben", "case-a"): 48.0}


def test_the_canvas_gradebook_has_canvas_columns_and_one_row_per_trainee(rubric: Rubric) -> None:
    statuses = [
        PlanStatus(trainee=t, display_name=n, case_id=c, status="accepted")
        for t, n in (("ben", "Ben Adler"), ("ana", "Ana Ruiz"))
        for c in ("case-a", "case-b")
    ]
    points = _points(rubric, "ana", "case-a", 1, 1, 1, 3)
    book = canvas_gradebook(
        statuses,
        points,
        rubric,
        {"case-a": "Anxious student", "case-b": "Grieving father"},
        {"ana": ["Year 1"]},
    )
    assert list(book.columns) == [*CANVAS_ID_COLUMNS, "Anxious student", "Grieving father"]
    assert book.iloc[0]["Student"].strip() == "Points Possible" and book.iloc[0]["Anxious student"] == 48.0
    assert book["Student"].tolist()[1:] == ["Ana Ruiz", "Ben Adler"]
    ana = book.iloc[1]
    assert (ana["SIS Login ID"], ana["Section"], ana["Anxious student"]) == ("ana", "Year 1", 36.0)
    assert pd.isna(book.iloc[2]["Anxious student"])  # no grade yet: an empty cell


def test_the_progress_report_is_self_contained_and_escaped(rubric: Rubric) -> None:
    points = [
        *_points(rubric, "ana", "case-a", 1, 1, 1, 2),
        *[
            p.model_copy(update={"display_name": "<script>x</script>"})
            for p in _points(rubric, "ben", "case-a", 2, 1, 1, 3)
        ],
    ]
    html = progress_report_html(points, rubric, {"case-a": "A <i>case</i>"}, title="Year 1", generated=T0)
    assert "<script>x" not in html and "&lt;script&gt;" in html and "<script" not in html
    assert html.count("data:image/png;base64,") == 3 and "crit-" not in html
    frame = progress_frame(points, rubric, {"case-a": "A case"})
    assert len(frame) == 24 and set(frame["criterion"]) == {c.title for c in rubric.criteria}


def test_a_trainee_without_scores_gets_a_plot_that_says_so(rubric: Rubric) -> None:
    table = trainee_progress([], rubric, "ana")
    fig = trainee_figure(table, rubric, "Ana")
    assert "no scored revisions" in fig.axes[0].texts[0].get_text()
    assert "No scored revisions yet" in trainee_table_html(table)


def test_two_cases_with_one_title_stay_two_gradebook_columns(rubric: Rubric) -> None:
    statuses = [
        PlanStatus(trainee="ana", display_name="Ana", case_id=c, status="empty") for c in ("c1", "c2")
    ]
    book = canvas_gradebook(statuses, [], rubric, {"c1": "Same title", "c2": "Same title"})
    assert list(book.columns)[5:] == ["Same title", "Same title (2)"]
