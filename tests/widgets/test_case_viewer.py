import ipywidgets as w
import pytest
from traitlets import TraitError

from itp_toolkit.widgets import CaseViewer
from itp_toolkit.widgets._common import walk


def shown_text(widget):
    """Everything a trainee could read in the viewer: HTML/Label values and accordion titles."""
    parts = []
    for part in walk(widget):
        if isinstance(part, (w.HTML, w.Label)):
            parts.append(part.value)
        if isinstance(part, w.Accordion):
            parts.extend(part.titles)
    return "\n".join(parts)


def test_case_viewer_never_shows_teaching_notes_questions_or_the_reference_plan(college_case):
    viewer = CaseViewer(college_case, week=52)
    text = shown_text(viewer)
    assert college_case.teaching_notes[:40] not in text
    assert not any(q[:40] in text for q in college_case.discussion_questions)
    assert "Reference plan" not in text and "int-cbt-panic" not in text
    assert viewer.case.teaching_notes == "" and viewer.case.reference_plan is None


def test_case_viewer_shows_narrative_strengths_barriers_and_words(college_case):
    text = shown_text(CaseViewer(college_case))
    for fact in (*college_case.strengths, *college_case.barriers):
        assert fact.text.split('"')[0][:30] in text
    assert "sit through a whole exam" in text
    assert "History" in text and "Formulation" in text


def test_timeline_events_are_revealed_as_the_week_advances(college_case):
    viewer = CaseViewer(college_case, week=0)
    assert viewer.events == [] and "What has happened since intake" not in viewer.document.value
    viewer.week = 6
    assert len(viewer.events) == 1 and "failed midterm" in viewer.document.value
    viewer.advance(4)
    assert viewer.week == 10 and len(viewer.events) == 2


def test_the_scores_plot_is_redrawn_for_the_new_week_with_a_text_alternative(college_case):
    viewer = CaseViewer(college_case, week=0)
    first = viewer.plot_png
    assert first.startswith(b"\x89PNG") and 'src="data:image/png;base64,' in viewer.document.value
    viewer.week = 10
    assert viewer.plot_png != first
    assert 'alt="Generalized Anxiety Disorder-7: week 0 17' in viewer.document.value


def test_the_case_reads_as_one_document_with_contents_linking_to_every_section(college_case):
    viewer = CaseViewer(college_case, week=6)
    doc = viewer.document.value
    assert viewer.children == (viewer.document,)  # one widget, not an accordion of many
    for key in ("person", "concerns", "history", "strengths", "barriers", "words", "timeline", "plot"):
        assert f'href="#itp-case-{key}"' in doc and f'<section id="itp-case-{key}"' in doc
    assert doc.index("Contents") < doc.index("<section")


def test_a_negative_week_is_refused(college_case):
    viewer = CaseViewer(college_case)
    with pytest.raises(TraitError):
        viewer.week = -1
    assert viewer.week == 0


def test_every_part_carries_an_itp_css_class(college_case):
    viewer = CaseViewer(college_case, week=6)
    classes = {c for part in walk(viewer) for c in part._dom_classes}
    assert {
        "itp-case-viewer",
        "itp-case-narrative",
    } <= classes
    assert 'class="itp-case-section itp-case-strengths"' in viewer.document.value


def test_a_second_viewer_of_the_same_case_and_week_reads_the_plot_the_first_one_drew(
    college_case, tmp_path, monkeypatch
):
    from itp_toolkit.formats.cache import ByteCache
    from itp_toolkit.widgets import measures_plot

    cache = ByteCache(tmp_path / "plots")
    first = CaseViewer(college_case, week=6, plot_cache=cache)
    assert len(list(cache.directory.glob("*.bin"))) == 1

    def no_drawing(*_a, **_k):
        raise AssertionError("drawn again though the cache had it")

    with monkeypatch.context() as m:
        m.setattr(measures_plot, "measure_plot", no_drawing)
        second = CaseViewer(college_case, week=6, plot_cache=cache)
    assert second.plot_png == first.plot_png
    assert second.document.value == first.document.value  # image and text alternative alike
    assert CaseViewer(college_case, week=6).document.value == first.document.value  # the user's cache's
    second.week = 10  # another week: drawn, and kept beside the first
    assert second.plot_png != first.plot_png and len(list(cache.directory.glob("*.bin"))) == 2


def test_a_viewer_given_no_cache_keeps_its_plot_in_the_users_cache_folder(
    college_case, tmp_path, monkeypatch
):
    from itp_toolkit.formats.cache import ByteCache

    monkeypatch.setenv("ITP_CACHE_DIR", str(tmp_path / "user-cache"))
    drawn = CaseViewer(college_case, week=6).plot_png
    users = ByteCache(tmp_path / "user-cache" / "itp-toolkit" / "plots")
    (kept,) = users.directory.glob("*.bin")
    assert users.get(kept.stem) == drawn


def test_a_damaged_plot_file_is_drawn_again_and_an_unwritable_cache_still_shows_the_plot(
    college_case, tmp_path
):
    from itp_toolkit.formats.cache import ByteCache

    cache = ByteCache(tmp_path / "plots")
    drawn = CaseViewer(college_case, week=6, plot_cache=cache).plot_png
    (kept,) = cache.directory.glob("*.bin")
    kept.write_bytes(kept.read_bytes()[:100])  # cut short
    assert CaseViewer(college_case, week=6, plot_cache=cache).plot_png == drawn
    assert cache.get(kept.stem) == drawn  # and the whole picture is kept again
    (tmp_path / "file").write_text("not a folder")
    blocked = CaseViewer(college_case, week=6, plot_cache=ByteCache(tmp_path / "file" / "plots"))
    assert blocked.plot_png == drawn and 'alt="Generalized Anxiety Disorder-7' in blocked.document.value
