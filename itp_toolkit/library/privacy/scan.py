"""``scan_text``: probable identifiers in a text, with the filters that keep clinical words out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .engine import analyzer
from .words import (
    _PRESIDIO_TO_CATEGORY,
    _SPECIFICITY,
    CLINICAL_TERMS,
    COUNTRIES_AND_REGIONS,
    ROLE_WORDS,
    SCORE_THRESHOLD,
    STATE_ABBREVIATIONS,
    US_STATES,
)


@dataclass(frozen=True)
class PrivacyFinding:
    """One probable identifier in a text: what kind, where (character offsets), and the text itself."""

    category: str
    start: int
    end: int
    text: str
    score: float = 1.0
    detector: str = ""

    def __str__(self) -> str:
        return f"possible {self.category.replace('_', ' ')}: {self.text!r}"


_CLINICAL_CODE = re.compile(r"^(?:[A-Z]\d{2}(?:\.\d{1,4})?|\d{3}\.\d{1,2}|[A-Z]{2,6}-?\d{0,2}[A-Z]?)$")


def _is_allowed_place(text: str) -> bool:
    t = re.sub(r"^(?:the|a)\s+", "", text.strip().lower().rstrip(".,"))
    t = re.sub(r"\s+", " ", t)
    if t in US_STATES or t in COUNTRIES_AND_REGIONS or f"the {t}" in COUNTRIES_AND_REGIONS:
        return True
    if text.strip() in STATE_ABBREVIATIONS:
        return True
    # "rural Kansas", "northern Arizona", "the Navajo Nation": qualifiers of a state or larger.
    words = t.split(" ")
    if len(words) > 1 and " ".join(words[1:]) in US_STATES | COUNTRIES_AND_REGIONS:
        return words[0] in {
            "rural",
            "northern",
            "southern",
            "eastern",
            "western",
            "central",
            "upstate",
            "downstate",
            "coastal",
            "north",
            "south",
            "east",
            "west",
            "northeastern",
            "northwestern",
            "southeastern",
            "southwestern",
            "small-town",
            "urban",
        }
    return False


def _is_clinical_term(text: str) -> bool:
    t = text.strip().strip(".,;:'’\"()").lower()
    if not t or t in CLINICAL_TERMS or t in ROLE_WORDS:
        return True
    if any(ch.isdigit() for ch in t) or _CLINICAL_CODE.match(text.strip()):
        return True
    if text.isupper() and len(text) <= 6:  # acronyms: CBT, EMDR, PHQ, IOP
        return True
    words = t.split()
    # A name never contains an instrument, a service or a role word: "Discussed Al-Anon", "Head Start".
    return any(w in CLINICAL_TERMS or w in ROLE_WORDS for w in words) or all(
        w in CLINICAL_TERMS or w in ROLE_WORDS for w in re.split(r"[\s-]+", t)
    )


def _keep(category: str, text: str, detector: str) -> bool:
    """Drop what spaCy and the generic recognizers get wrong in clinical text."""
    if category == "name":
        if detector == "itp-name" and text.strip().lower() in CLINICAL_TERMS:
            return False  # "her grandson, Saturday appointments"
        if detector.startswith("Spacy") or detector == "itp-subject-name":
            if _is_clinical_term(text) or _is_allowed_place(text):
                return False
            if not any(ch.isupper() for ch in text):  # NER on lower-case words is noise
                return False
        return True
    if category == "location" and detector.startswith("Spacy"):
        if _is_allowed_place(text) or _is_clinical_term(text):
            return False
        return any(ch.isupper() for ch in text) or any(ch.isdigit() for ch in text)
    if category == "url":
        # "e.g.", "i.e." and file-like words are not addresses of anything.
        return bool(re.search(r"(?:https?://|www\.|\.(?:com|org|net|edu|gov|io|us|info|co)\b)", text, re.I))
    return not (category == "other_id" and _CLINICAL_CODE.match(text))


_CITATION_AFTER = re.compile(
    r"^\s*(?:et\.?\s+al\b|&|and\s+[A-Z][a-z]+\s*(?:\(|,)?\s*(?:19|20)\d{2}|,?\s*\(?(?:19|20)\d{2}\b)"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n(\[\"“‘'-])\s*$")
_word_index: dict[str, frozenset[str]] | None = None


def _common_word_index() -> dict[str, frozenset[str]]:
    """WordNet's adjectives, verbs and adverbs, as shipped in the spaCy model's lemmatizer tables.

    Sentence-initial capitals fool the small NER model ("Alert and oriented", "Sleeps 5 hours"); a
    sentence-initial word that English uses as a verb, adjective or adverb is taken as that, not a name.
    """
    global _word_index
    if _word_index is None:
        nlp = analyzer().nlp_engine.nlp["en"]  # type: ignore[attr-defined]
        lookups = nlp.get_pipe("lemmatizer").lookups
        index, exc = lookups.get_table("lemma_index"), lookups.get_table("lemma_exc")
        words: dict[str, frozenset[str]] = {}
        for pos in ("adj", "verb", "adv", "noun"):
            words[pos] = frozenset(index.get(pos, []))
            words[pos + "_exc"] = frozenset(exc.get(pos, {}).keys())
        _word_index = words
    return _word_index


def _is_common_word(word: str) -> bool:
    w = word.lower()
    index = _common_word_index()
    forms = {w}
    for suffix, repl in (
        ("s", ""),
        ("es", ""),
        ("ies", "y"),
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
        ("ing", ""),
        ("ing", "e"),
        ("ly", ""),
        ("ily", "y"),
    ):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            forms.add(w[: -len(suffix)] + repl)
    return any(f in index[pos] or f in index[pos + "_exc"] for f in forms for pos in ("adj", "verb", "adv"))


def _is_common_noun(word: str) -> bool:
    w = word.lower()
    forms = {w, w[:-1] if w.endswith("s") else w}
    index = _common_word_index()
    return any(f in index["noun"] or f in index["noun_exc"] for f in forms)


_AGE_APPOSITION = re.compile(r"^,?\s*(?:(?:a|an)\s+)?\d{1,3}\b")


def _refine_ner(text: str, f: PrivacyFinding) -> PrivacyFinding | None:
    """Fix what NER gets wrong around a name or place: author citations and sentence-initial words."""
    if _CITATION_AFTER.match(text[f.end :]) or re.search(r"\bet\.?\s+al\b", f.text):
        return None  # "(Dennis et al. 2009)": an author, not a person in the case
    if f.detector == "itp-subject-name" and f.score >= 0.9:
        return f  # subject of a person's verb: "Grace told the therapist..."
    if _SENTENCE_START.search(text[: f.start]):
        first, _, rest = f.text.partition(" ")
        if _is_common_word(first):
            if not rest or _is_clinical_term(rest) or _is_allowed_place(rest):
                return None
            start = f.start + len(first) + 1
            return PrivacyFinding(f.category, start, f.end, rest, f.score, f.detector)
        after = text[f.end :]
        if (
            not rest
            and _is_common_noun(first)
            and not (_AGE_APPOSITION.match(after) or after[:2] in ("'s", "’s"))
        ):
            return None  # "Speech quiet, slowed." "Knee pain limits walks." (a name here needs more context)
    return f


def scan_text(text: str) -> list[PrivacyFinding]:
    """Probable Safe Harbor identifiers in ``text``, in order, without overlaps.

    Where two detectors claim overlapping text, the more confident (then the more specific) one wins:
    a fax number is reported once, as a fax, not also as a phone number.
    """
    if not text or not text.strip():
        return []
    return list(_scan(text))


@lru_cache(maxsize=4096)
def _scan(text: str) -> tuple[PrivacyFinding, ...]:
    """The scan of one text, kept: validating a library scans the same unchanged fields again and again
    (every case on each ``itp cases validate``, an author's edit-and-check loop in one process), and the
    spaCy NER pass is most of the cost. Findings are frozen: a kept answer cannot be changed by a caller."""
    results = analyzer().analyze(text=text, language="en", score_threshold=SCORE_THRESHOLD)
    candidates: list[PrivacyFinding] = []
    for r in results:
        category = _PRESIDIO_TO_CATEGORY.get(r.entity_type)
        if category is None:
            continue
        detector = (r.recognition_metadata or {}).get("recognizer_name", "")
        span = text[r.start : r.end]
        # Trim trailing punctuation a pattern or NER span may carry ("Denver." -> "Denver").
        stripped = span.rstrip(" .,;:")
        end = r.start + len(stripped)
        if category == "phone" and re.search(
            r"\bfax\b[^.\n]{0,25}$", text[max(0, r.start - 30) : r.start], re.I
        ):
            category = "fax"
        if not stripped or not _keep(category, stripped, detector):
            continue
        found = PrivacyFinding(category, r.start, end, stripped, round(float(r.score), 2), detector)
        finding: PrivacyFinding | None = found
        if category in ("name", "location") and (
            detector.startswith("Spacy") or detector == "itp-subject-name"
        ):
            finding = _refine_ner(text, found)
        if finding is not None:
            candidates.append(finding)
    # Labelled toolkit patterns ("IMEI 4901...") beat generic ones (a Luhn-valid number "looks like" a card).
    candidates.sort(
        key=lambda f: (
            -f.score,
            not f.detector.startswith("itp-"),
            -_SPECIFICITY[f.category],
            -(f.end - f.start),
            f.start,
        )
    )
    chosen: list[PrivacyFinding] = []
    for f in candidates:
        if all(f.end <= c.start or f.start >= c.end for c in chosen):
            chosen.append(f)
    return tuple(sorted(chosen, key=lambda f: f.start))
