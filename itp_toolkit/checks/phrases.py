"""What of a case's cultural and social context a reader would recognise in a plan.

A single common word shared by the case and the plan ('cafe', 'roommate', 'family') shows nothing; two words
of one clause of the context in one sentence of the plan do ('shifts at the family restaurant', 'a Sunday call
with his sister', 'kitchen work though the couch has ended'), as does a proper name ('Manila', 'Catholic').
The case's text is read with the spaCy pipeline installed for the privacy check: sentences, lemmas, stop words
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
from importlib import resources
from pathlib import Path
from typing import Any

from .text import STOPWORDS, clip, key_words, stem

PHRASES_VERSION = 6
"""Bump when the extraction changes, so cached phrases are recomputed."""
SHIPPED = "data/context_phrases.json"
EXCERPT_CHARS = 60
"""About how much of a context clause is shown where the plan reflected it."""

_COMMON = """
client patient person people life year old time week month day night morning evening afternoon hour minute
thing way part lot kind work job home family money house place friend everyone someone anyone nothing
everything one two three four five six seven eight nine ten first second last next other another own same
many much more most some few good bad new big small little long short full whole high low right left
monday tuesday wednesday thursday friday saturday sunday weekday weekend today tomorrow yesterday now then
still just even only also again away back since until after before during without within about around
already yet ever never always often sometimes once twice usually really very quite rather almost enough
get got gets getting make made makes take took taken takes give gave given go went gone goes come came
comes coming keep kept put set see saw seen say said says tell told ask asked asks want wanted need
needed feel felt think thought know knew known look looked like liked use used start started end ended
begin began try tried call called let lets seem seemed leave left help helped show showed turn turned
move moved stay stayed hold held bring brought run ran write wrote written read result results session
sessions plan plans note notes week's day's able unable sure new next last different able likely
"""
GENERIC_WORDS = frozenset(stem(w) for w in _COMMON.split())
"""Stems too common to make a phrase recognisable on their own: a phrase needs at least one other word."""


@dataclass(frozen=True)
class Phrase:
    """One recognisable unit of the context (a clause, or a proper name): its text as the case wrote it (what
    a reader is shown), and the stems a plan passage must share with it, with the words they stand for."""

    text: str
    keys: frozenset[str]
    words: tuple[tuple[str, str], ...] = ()
    """(word as written, its stem) in the context's order."""

    def shared(self, part_keys: frozenset[str]) -> frozenset[str]:
        """The stems one plan passage shares with this unit, when that is enough for a reader to recognise it:
        the name itself, or two of its words at least one of which is not a common word."""
        shared = self.keys & part_keys
        if len(self.keys) == 1:
            return shared
        return shared if len(shared) >= 2 and not shared <= GENERIC_WORDS else frozenset()

    def found_in(self, part_keys: frozenset[str]) -> bool:
        return bool(self.shared(part_keys))

    def excerpt(self, stems: frozenset[str], width: int = EXCERPT_CHARS) -> str:
        """The part of the clause that holds the words a plan shared with it (``stems``), as the case wrote
        it and about ``width`` characters long: '…parents who run a small family restaurant'. A reader
        recognises a clause by its words in their place, not by a list of the words."""
        text = self.text
        if len(text) <= width:
            return text
        found, pos = [], 0
        for word, key in self.words:
            at = text.find(word, pos)
            if at < 0:
                continue
            pos = at + len(word)
            if key in stems:
                found.append((at, pos))
        if not found:
            return clip(text, width)
        start, end = found[0][0], found[-1][1]
        if end - start >= width:
            return "…" + clip(text[start:], width) if start else clip(text, width)
        lo = max(0, start - (width - (end - start)) // 2)
        hi = min(len(text), lo + width)
        lo = max(0, hi - width)
        if lo > 0:  # whole words only
            lo = min(start, text.find(" ", lo) + 1 or start)
        if hi < len(text):
            cut = text.rfind(" ", end, hi)
            hi = cut if cut >= end else end
        return ("…" if lo > 0 else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")


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
    from ..formats.cache import user_cache_dir

    return user_cache_dir("phrases")


def _content(token: Any) -> bool:
    return (
        token.is_alpha
        and not token.is_stop
        and token.lemma_.lower() not in STOPWORDS
        and len(token.text) >= 3
        and token.pos_ in ("NOUN", "PROPN", "ADJ", "VERB")
    )


def _extract(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(unit text, [(word, stem), ...]) for every clause of the context (sentences split at ';' and ':') and
    every proper name or proper adjective, from spaCy's lemmas, stop words and tags; a light fallback when the
    model is missing."""
    nlp = _spacy()
    out: list[tuple[str, list[tuple[str, str]]]] = []
    if nlp is None:  # pragma: no cover - fallback: clauses of words that are not stop words
        for part in re.split(r"[.;:\n]", text):
            found = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", part) if w.lower() not in STOPWORDS]
            out.append((part.strip(), [(w, stem(w)) for w in found if len(w) >= 3]))
        return out
    doc = nlp(text)
    for sentence in doc.sents:
        clause: list[Any] = []
        for token in [*sentence, None]:
            if token is None or token.text in (";", ":"):
                words = [(t.text, stem(t.lemma_)) for t in clause if _content(t)]
                if words:  # the clause as the case wrote it (spacing kept), without its closing stop
                    span = doc.text[clause[0].idx : clause[-1].idx + len(clause[-1].text)]
                    out.append((span.strip().rstrip(".,;: "), words))
                clause = []
            else:
                clause.append(token)
    for token in doc:
        if _content(token) and token.text[:1].isupper() and token.pos_ in ("PROPN", "ADJ") and _named(token):
            out.append((token.text, [(token.text, stem(token.lemma_))]))
    return out


def _named(token: Any) -> bool:
    """A proper name or a proper adjective ('Manila', 'Catholic', 'Filipino'), not a capital that only
    starts a
    sentence."""
    if not token.is_sent_start:
        return True
    nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return nxt is not None and nxt.text[:1].isupper()


def _digest(text: str) -> str:
    return hashlib.sha256(f"{PHRASES_VERSION}\0{text}".encode()).hexdigest()[:32]


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    """The units of the library cases' contexts, worked out when the package was built (so a page never loads
    spaCy for a library case); keyed by the digest of the text, so an edited case simply misses."""
    try:
        data = resources.files(__package__).joinpath(SHIPPED).read_text("utf-8")
        return dict(json.loads(data)["phrases"])
    except (OSError, ValueError, KeyError):
        return {}


def write_shipped(texts: list[str]) -> dict[str, Any]:
    """The shipped table for these context texts (``python -m itp_toolkit.checks.phrases`` writes it for the
    case library); a test keeps it current."""
    return {
        "version": PHRASES_VERSION,
        "phrases": {_digest(t): _extract(t) for t in sorted(set(texts)) if t.strip()},
    }


@lru_cache(maxsize=256)
def context_phrases(text: str) -> tuple[Phrase, ...]:
    """The recognisable units of a context text, each once. Looked up in memory, then in the shipped table for
    the case library (``data/context_phrases.json``), then in the on-disk cache; only a text none of them has
    goes through spaCy."""
    if not text.strip():
        return ()
    digest = _digest(text)
    path = _cache_dir() / f"{digest}.json"
    shipped = _shipped().get(digest)
    try:
        pairs = shipped if shipped is not None else json.loads(path.read_text("utf-8"))
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
    for unit_text, words in pairs:
        stems = frozenset(key for _, key in words)
        if stems and not stems <= GENERIC_WORDS and stems not in out:
            out[stems] = Phrase(" ".join(unit_text.split()), stems, tuple((w, k) for w, k in words))
    return tuple(out.values())


def passages_keys(parts: list[str]) -> list[frozenset[str]]:
    """The stems of each passage of plan prose (one field, split into sentences)."""
    out = []
    for part in parts:
        for sentence in re.split(r"(?<=[.;!?])\s+|\n", part):
            if sentence.strip():
                out.append(key_words(sentence))
    return out


def main() -> None:  # pragma: no cover - a maintenance command
    """Write the shipped table for the case library: ``python -m itp_toolkit.checks.phrases``."""
    from ..library.cases import load_case_library

    texts = [c.cultural_social_context for c in load_case_library().values()]
    target = Path(__file__).parent / SHIPPED
    target.write_text(json.dumps(write_shipped(texts), indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(target)


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["GENERIC_WORDS", "Phrase", "context_phrases", "passages_keys"]
