"""The privacy check finds Safe Harbor identifiers in clinical text and leaves clinical content alone."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from itp_toolkit.library.privacy import CATEGORIES, PrivacyFinding, engine, evaluate, load_corpus, scan_text

CORPUS = Path(__file__).resolve().parents[1] / "privacy_corpus.yaml"

# Floors are the measured values (recall 0.94, precision 0.99 on 118 labelled identifiers; see
# docs/privacy.md) minus a small margin, so a real regression fails but noise does not.
RECALL_FLOOR = 0.90
PRECISION_FLOOR = 0.93


@pytest.mark.parametrize(
    ("text", "category", "identifier"),
    [
        ("Maria Lopez reported a PHQ-9 of 14 at week 6.", "name", "Maria Lopez"),
        ("Her sister Ana drives her to sessions.", "name", "Ana"),
        ("He lives in Tucson with his grandmother.", "location", "Tucson"),
        ("She rents a room at 42 Elm Street.", "location", "42 Elm Street"),
        ("Forms list Springfield, IL 62704 as home.", "location", "62704"),
        ("They live in Harlan County with her aunt.", "location", "Harlan County"),
        ("Admitted on June 3, 2022 after an overdose.", "date", "June 3, 2022"),
        ("She was born on 03/14/1991.", "date", "03/14/1991"),
        ("Her grandmother, aged 93, raised her.", "age_over_89", "93"),
        ("Call her at (555) 123-4567 after 5 pm.", "phone", "(555) 123-4567"),
        ("Records were sent by fax to 555-987-6543.", "fax", "555-987-6543"),
        ("She emails jane.doe@example.com between sessions.", "email", "jane.doe@example.com"),
        ("SSN 123-45-6789 was on the form.", "ssn", "123-45-6789"),
        ("MRN 00482913 appears on the summary.", "mrn", "00482913"),
        ("Medicaid ID 90031772B is on her card.", "health_plan_id", "90031772B"),
        ("Bank account number 000123456789 for the refund.", "account_number", "000123456789"),
        ("Driver's license number D1234567 was suspended.", "licence_number", "D1234567"),
        ("The car's VIN is 1HGCM82633A004352.", "vehicle_id", "1HGCM82633A004352"),
        ("Her license plate 7ABC123 was photographed.", "vehicle_id", "7ABC123"),
        ("The insulin pump serial number is SN-77812-QX.", "device_id", "SN-77812-QX"),
        ("Her blog at https://example.org/maria is public.", "url", "https://example.org/maria"),
        ("The session came from 192.168.14.201.", "ip_address", "192.168.14.201"),
        ("Client ID 7720194 was used for billing.", "other_id", "7720194"),
    ],
)
def test_planted_identifier_is_found_in_its_category(text: str, category: str, identifier: str) -> None:
    findings = scan_text(text)
    assert any(f.category == category and f.text == identifier for f in findings), findings
    found = next(f for f in findings if f.text == identifier)
    assert text[found.start : found.end] == identifier


@pytest.mark.parametrize(
    "text",
    [
        "Her PHQ-9 of 14 at intake fell to 9 by week 6.",
        "GAD-7 = 12 at baseline.",
        "Started sertraline 50 mg daily.",
        "Working diagnosis F32.1; rule out F43.10; DSM 296.32.",
        "Session 4 focused on a thought record in week 6.",
        "They meet twice weekly, then daily check-ins by text.",
        "She is a 27-year-old graduate student.",
        "He stopped drinking in 2019 and relapsed last spring.",
        "She is four months postpartum.",
        "The family lives in a mid-sized city in the Midwest.",
        "He grew up in a rural area of the Mountain West.",
        "Her sister, the client and the trainee therapist met together.",
        "Screening used the PHQ-9, AUDIT, PCL-5 and EPDS.",
        "CBT, EMDR and CPT were discussed.",
        "He moved from Guatemala to Texas when he was twelve.",
        "Alert and oriented, neatly dressed. Speech quiet, slowed.",
        "Safety planning reduces suicidal behaviour (Stanley et al. 2018).",
        "She may call if the GAD-7 rises above 15.",
        "He is 89 years old and still drives.",
        # False positives once seen on the library's cases (issue 19).
        "The plan runs 16 weeks the court ordered.",
        "She has 3 days a week the court allows for visits.",
        "Her HbA1c was 8.1 at the last visit.",
        "He moved into a Housing First apartment last spring.",
        "Grandmother raised her after her parents left.",
        "Doses were missed on three days last week.",
        "Drinking rose after the layoff.",
        "Consent was given by both parents.",
    ],
)
def test_clinical_content_raises_no_finding(text: str) -> None:
    assert scan_text(text) == []


def test_fax_number_is_reported_once_as_fax_not_also_as_phone() -> None:
    findings = scan_text("Fax: (614) 555-0110, attention intake.")
    assert [(f.category, f.text) for f in findings] == [("fax", "(614) 555-0110")]


def test_findings_are_ordered_and_never_overlap() -> None:
    text = "Maria, 27, lives at 42 Elm Street, Springfield, IL 62704; MRN 00482913; cell 312-555-0198."
    findings = scan_text(text)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    for a, b in zip(findings, findings[1:], strict=False):
        assert a.end <= b.start
    assert {f.category for f in findings} >= {"name", "location", "mrn", "phone"}


def test_finding_is_frozen_and_reads_as_a_sentence() -> None:
    f = PrivacyFinding("mrn", 4, 12, "00482913")
    with pytest.raises(AttributeError):
        f.text = "x"  # type: ignore[misc]
    assert str(f) == "possible mrn: '00482913'"


def test_empty_text_has_no_findings() -> None:
    assert scan_text("") == [] and scan_text("   \n") == []


def test_scanning_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    assert os.environ.get("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS") == ""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the privacy check tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert scan_text("Write to kris_a@uni.edu or see www.example-runner.com.")


def test_analyzer_is_built_once_per_process() -> None:
    assert engine.analyzer() is engine.analyzer()
    assert engine.startup_seconds is not None and engine.startup_seconds > 0


def test_missing_model_is_refused_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "SPACY_MODEL", "en_core_web_not_installed")
    with pytest.raises(engine.PrivacyCheckUnavailable, match="requirements/spacy-model.txt"):
        engine._build_analyzer()


def test_corpus_labels_are_well_formed_and_cover_every_category() -> None:
    items = load_corpus(CORPUS)
    assert len(items) >= 120
    labelled = {e["category"] for i in items for e in i.get("expect") or []}
    assert labelled == set(CATEGORIES)
    assert sum(1 for i in items if not i.get("expect")) >= 60


def test_corpus_precision_and_recall_stay_above_the_measured_floor() -> None:
    ev = evaluate(load_corpus(CORPUS))
    assert ev.overall.recall >= RECALL_FLOOR, ev.misses
    assert ev.overall.precision >= PRECISION_FLOOR, ev.false_alarms


def test_every_clean_corpus_sentence_raises_nothing() -> None:
    clean = [i["text"] for i in load_corpus(CORPUS) if not i.get("expect")]
    flagged = {t: [(f.category, f.text) for f in scan_text(t)] for t in clean}
    # One measured, documented false alarm (a school name read as a place); anything else is a regression.
    assert {t: f for t, f in flagged.items() if f} == {
        "They met at Riverside Elementary's parent night.": [("location", "Riverside Elementary's")]
    }


def test_a_repeated_scan_gives_the_same_findings_and_a_caller_cannot_change_the_kept_answer() -> None:
    text = "Seen by Dr. Harriet Okonkwo at 14 Elm Street, Springfield; call 555-201-7733."
    first = scan_text(text)
    assert first, "the planted identifiers are found"
    first.clear()  # a caller may do what it likes with its list
    again = scan_text(text)
    assert again and again == scan_text(text)
    assert again is not scan_text(text)
