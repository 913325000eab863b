"""views.html: the one place text becomes HTML (escaping, tables with captions and header scopes, the
stylesheet)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from itp_toolkit.views import html

HOSTILE = "<img src=x onerror=\"alert(1)\"> & 'quotes'"


def test_text_and_lists_escape_what_they_are_given():
    assert html.text_html(HOSTILE, "h2", "itp-x") == (
        '<h2 class="itp-x">&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &#39;quotes&#39;</h2>'
    )
    assert "<img" not in html.list_html([HOSTILE, "plain"])
    assert html.list_html(["a"], ordered=True) == "<ol><li>a</li></ol>"


def test_attributes_are_escaped_and_names_must_be_ours():
    link = html.element("a", HOSTILE, href='#x" onclick="y', aria_label="Go", cls="itp-goto", hidden=False)
    assert 'href="#x&#34; onclick=&#34;y"' in link
    assert 'aria-label="Go"' in link and 'class="itp-goto"' in link and "hidden" not in link
    assert "<img" not in link
    with pytest.raises(ValueError):
        html.element("a onclick=x", "text")
    with pytest.raises(ValueError):
        html.attrs(**{"on click": "x"})


def test_a_table_has_a_caption_column_scopes_and_escaped_cells():
    table = html.table_html(
        ["Trainee", "<score>"],
        [[HOSTILE, 3], ["Ana", None], ["Bo", float("nan")]],
        caption="Scores & notes",
        row_header=True,
        row_classes=["Needs work", None, "ok"],
    )
    assert table.startswith('<table class="itp-table"><caption>Scores &amp; notes</caption>')
    assert '<th scope="col">&lt;score&gt;</th>' in table
    assert '<th scope="row">Ana</th><td>—</td>' in table  # None and NaN read as a dash
    assert "<td>—</td></tr><tr" in table and table.count("—") == 2
    assert '<tr class="needs-work">' in table and '<tr class="ok">' in table
    assert "<img" not in table
    assert len(re.findall("<tr", table)) == 4


def test_a_caption_can_be_for_screen_readers_only():
    table = html.table_html(["A"], [[1]], caption="Hidden", caption_visible=False)
    assert '<caption class="itp-sr-only">Hidden</caption>' in table


def test_a_frame_becomes_a_table_with_peoples_headers():
    frame = pd.DataFrame({"trainee": ["Ana <b>"], "n_problems": [2], "status": ["returned for revision"]})
    table = html.frame_table(
        frame,
        ["trainee", "n_problems"],
        headers={"trainee": "Trainee", "n_problems": "Problems"},
        caption="Drafts",
        row_class="status",
    )
    assert '<th scope="col">Trainee</th><th scope="col">Problems</th>' in table
    assert "Ana &lt;b&gt;" in table and "status" not in table.split("<tbody>")[0]
    assert '<tr class="itp-row-returned">' in table


def test_the_stylesheet_ships_with_the_package_and_defines_the_design_variables():
    css = html.stylesheet()
    for variable in ("--itp-size-body", "--itp-space-4", "--itp-ink", "--itp-accent", "--itp-focus"):
        assert variable + ":" in css
    assert ":focus-visible" in css
    assert "http://" not in css and "https://" not in css and "@import" not in css  # nothing fetched
    block = html.style_block()
    assert block.startswith("<style") and block.endswith("</style>") and block.count("<style") == 1


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_stylesheets_text_colours_meet_wcag_aa_on_their_backgrounds():
    variables = dict(re.findall(r"(--itp-[a-z-]+):\s*(#[0-9a-fA-F]{6})", html.stylesheet()))
    pairs = [
        ("--itp-ink", "--itp-paper"),
        ("--itp-ink", "--itp-surface"),
        ("--itp-ink-muted", "--itp-paper"),
        ("--itp-ink-muted", "--itp-surface"),
        ("--itp-accent", "--itp-paper"),
        ("--itp-accent", "--itp-accent-soft"),
        ("--itp-problem", "--itp-problem-soft"),
        ("--itp-warning", "--itp-warning-soft"),
        ("--itp-info", "--itp-info-soft"),
        ("--itp-success", "--itp-success-soft"),
        ("--itp-ink", "--itp-highlight"),
    ]
    for text, background in pairs:
        ratio = _contrast(variables[text], variables[background])
        assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}"
    assert _contrast("#ffffff", variables["--itp-accent"]) >= 4.5  # primary buttons
    assert _contrast(variables["--itp-focus"], variables["--itp-paper"]) >= 3  # focus ring (non-text)
