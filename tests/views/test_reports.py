"""Feedback report: self-contained HTML with embedded plots and escaped text, and printable Markdown."""

from __future__ import annotations

import re

from itp_toolkit.checks.rubrics import default_rubric
from itp_toolkit.views.reports import gather_report, report_html, report_markdown

HOSTILE = '<img src=x onerror="alert(1)"> and <script>alert(2)</script>'


def _report(clinic, *, released_only=True):
    store, draft = clinic.store, clinic.drafts["ben"]
    store.add_annotation(draft.draft_id, HOSTILE, element_id="prb-moodb", tags=["risk"], actor="dr.okafor")
    store.add_annotation(
        draft.draft_id, "Unreleased thought", actor="dr.okafor"
    ) if not released_only else None
    rubric = default_rubric()
    store.add_score(draft.draft_id, rubric.id, "crit-voice", 2, comment=HOSTILE, actor="dr.okafor")
    store.release_feedback(draft.draft_id, actor="dr.okafor")
    store.add_annotation(draft.draft_id, "Written after release", actor="dr.okafor")
    return gather_report(
        store, draft.draft_id, case=clinic.case, rubric=rubric, actor="dr.okafor", released_only=released_only
    )


def test_report_html_escapes_trainee_and_supervisor_text(review_clinic):
    html = report_html(_report(review_clinic))
    assert "<script>" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    assert not re.search(r"<img[^>]*onerror", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the trainee's problem statement, as text
    assert "&lt;img src=x onerror=" in html


def test_report_html_is_self_contained_with_plots_as_data_uris(review_clinic):
    html = report_html(_report(review_clinic))
    sources = re.findall(r'<img[^>]*src="([^"]+)"', html)
    assert len(sources) == 2 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<style>" in html and "<link" not in html


def test_report_holds_only_released_feedback_by_default(review_clinic):
    report = _report(review_clinic)
    html = report_html(report)
    assert "Written after release" not in html
    assert "Voice" in html or "Patient" in html
    assert [a.body for a in report.annotations] == [HOSTILE]


def test_markdown_report_has_the_rubric_table_and_comments_made_inert(review_clinic):
    md = report_markdown(_report(review_clinic))
    assert "| Patient's voice | 2 |" in md
    # Every '<' from a person is backslash-escaped, so Markdown renders it as text, never as HTML.
    assert not re.search(r"(?<!\\)<", md)
    assert "\\<script\\>" in md
    assert md.count("| ") >= 12
