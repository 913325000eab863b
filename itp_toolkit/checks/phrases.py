"""Phrases of a case's cultural and social context that a reader would recognise in a plan.

A single common word shared by the case and the plan ('cafe', 'roommate', 'family') shows nothing; a phrase
does ('her cafe wages', 'the family restaurant', 'attend university', 'Catholic'). The case's text is read
with the spaCy pipeline installed for the privacy check: noun chunks, verb-object pairs, lemmas, stop words
and proper nouns. Only the *case* goes through spaCy, once per text (kept in memory and in a small on-disk
cache, so a page does not pay spaCy's start-up for a case it has seen); plan text, which changes on every
keystroke, is matched with the light stems of ``text.key_words``, which the case's lemmas are put through too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .text import STOPWORDS, key_words, stem

PHRASES_VERSION = 3
"""Bump when the extraction changes, so cached phrases are recomputed."""

GENERIC_WORDS = frozenset(
    stem(w)
    for w in ["client", "patient", "person", "people", "life", "year", "old", "time", "week", "month", "day", "night", "thing", "way", "part", "lot", "kind", "work", "job", "home", "family", "money", "house", "place", "friend", "everyone", "someone", "anyone", "nothing", "everything", "people's", "one", "first", "last", "other", "own", "many", "much", "more", "most", "some", "few", "good", "new", "big", "small", "little", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekday", "weekend"]
)
"""Stems too common to make a phrase recognisable on their own: a phrase needs at least one other word."""


@dataclass(frozen=True)
class Phrase:
    """One recognisable unit of the context: its words as written, and the stems a plan must share."""

    text: str
    keys: frozenset[str]

    @property
    def needed(self) -> int:
        """How many of its stems one plan passage must contain: all of two, or two of three or more."""
        return 1 if len(self.keys) == 1 else 2

    def found_in(self, part_keys: frozenset[str]) -> bool:
        shared = self.keys & part_keys
        return len(shared) >= self.needed and not shared <= GENERIC_WORDS


_lock = threading.Lock()
_nlp: Any = None


def _spacy() -> Any:
    """The privacy check's offline spaCy model without NER (noun chunks need the parser), or None."""
    global _nlp
    with _lock:
        if _nlp is None:
            try:
                import spacy

                from ..library.privacy.engine import SPACY_MODEL

                _nlp = (
                    spacy.load(SPACY_MODEL, disable=["ner"]) if spacy.util.is_package(SPACY_MODEL) else False
                )
            except (ImportError, OSError):  # pragma: no cover - the model is a declared dependency
                _nlp = False
        return _nlp or None


def _cache_dir() -> Path:
    root = os.environ.get("ITP_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "itp-toolkit" / "phrases"


def _content(token: Any) -> bool:
    return (
        token.is_alpha
        and not token.is_stop
        and token.lemma_.lower() not in STOPWORDS
        and len(token.text) >= 3
        and token.pos_ in ("NOUN", "PROPN", "ADJ", "VERB")
    )


def _extract(text: str) -> list[tuple[str, list[str]]]:
    """(phrase text, stems) pairs from spaCy; a light fallback when the model is missing."""
    nlp = _spacy()
    if nlp is None:  # pragma: no cover - fallback: adjacent word pairs within a clause
        out = []
        for clause in re.split(r"[.;:,()\n]", text):
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", clause) if w.lower() not in STOPWORDS]
            out += [(f"{a} {b}", [stem(a), stem(b)]) for a, b in zip(words, words[1:], strict=False)]
        return out
    doc = nlp(text)
    out: list[tuple[str, list[str]]] = []
    for chunk in doc.noun_chunks:
        words = [t for t in chunk if _content(t)]
        keys = [stem(t.lemma_) for t in words]
        if len(set(keys)) >= 2:
            out.append((chunk.text, keys))
        elif len(words) == 1 and words[0].pos_ == "PROPN":
            out.append((words[0].text, keys))
    for token in doc:
        if token.dep_ in ("dobj", "attr", "oprd") and _content(token) and _content(token.head):
            out.append((f"{token.head.text} {token.text}", [stem(token.head.lemma_), stem(token.lemma_)]))
        if token.dep_ == "amod" and token.head.pos_ == "NOUN" and _content(token) and _content(token.head):
            out.append((f"{token.text} {token.head.text}", [stem(token.lemma_), stem(token.head.lemma_)]))
        if _content(token) and token.text[:1].isupper() and token.pos_ in ("PROPN", "ADJ") and _named(token):
            out.append((token.text, [stem(token.lemma_)]))
    return out


def _named(token: Any) -> bool:
    """A proper name or a proper adjective ('Manila', 'Catholic', 'Filipino'), not a capital that only starts a
    sentence."""
    if not token.is_sent_start:
        return True
    nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return nxt is not None and nxt.text[:1].isupper()


@lru_cache(maxsize=256)
def context_phrases(text: str) -> tuple[Phrase, ...]:
    """The recognisable phrases of a context text, each once (cached in memory and on disk)."""
    if not text.strip():
        return ()
    digest = hashlib.sha256(f"{PHRASES_VERSION}\0{text}".encode()).hexdigest()[:32]
    path = _cache_dir() / f"{digest}.json"
    try:
        pairs = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        pairs = _extract(text)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(pairs), "utf-8")
            tmp.replace(path)
        except OSError:
            pass
    out: dict[frozenset[str], Phrase] = {}
    for phrase_text, keys in pairs:
        stems = frozenset(keys)
        if stems and not stems <= GENERIC_WORDS and stems not in out:
            out[stems] = Phrase(" ".join(phrase_text.split()), stems)
    return tuple(out.values())


def passages_keys(parts: list[str]) -> list[frozenset[str]]:
    """The stems of each passage of plan prose (one field, split into sentences)."""
    out = []
    for part in parts:
        for sentence in re.split(r"(?<=[.;!?])\s+|\n", part):
            if sentence.strip():
                out.append(key_words(sentence))
    return out


__all__ = ["GENERIC_WORDS", "Phrase", "context_phrases", "passages_keys"]
