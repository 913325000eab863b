"""Transparent text similarity, pure Python: normalized character trigram cosine.

One measure, one place for its thresholds. Vectors are cached by text, because the critique reruns on every
keystroke while almost all of the plan's text stays the same between runs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

GENERIC_THRESHOLD = 0.72
"""Cosine at or above which a plan text counts as library (cookie-cutter) text."""

PEER_THRESHOLD = 0.9
"""Cosine at or above which two trainees' texts count as near-identical."""

MIN_COMPARABLE_CHARS = 12
"""Shorter texts ('CBT', 'weekly') are not compared: any two look alike."""

_WORD = re.compile(r"[a-z0-9]+")
_CLIENT_WORDS = {"client", "patient", "pt", "consumer", "individual", "member", "she", "he", "they"}
_BOILERPLATE = {"client", "will", "the", "a", "an"}
"""Dropped before comparing: 'Client will ...' opens every library sentence and would dominate short texts."""

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "shall",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "not",
        "no",
        "nor",
        "so",
        "than",
        "then",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "per",
        "via",
        "her",
        "his",
        "their",
        "them",
        "him",
        "our",
        "your",
        "my",
        "me",
        "i",
        "we",
        "you",
        "us",
        "who",
        "whom",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "each",
        "every",
        "some",
        "more",
        "most",
        "less",
        "least",
        "very",
        "also",
        "just",
        "only",
        "own",
        "same",
        "such",
        "too",
        "up",
        "out",
        "off",
        "again",
        "further",
        "once",
        "here",
        "there",
        "both",
        "few",
        "other",
        "s",
        "t",
    ]
)


def clip(text: str, n: int) -> str:
    """``text`` on one line, cut at a word before ``n`` characters with an ellipsis: a case's sentence quoted
    in a message or a table cell, not a paragraph."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def words(text: str) -> list[str]:
    """Lower-case alphanumeric words; 'client'/'patient'/pronouns become one token so templates match."""
    return ["client" if w in _CLIENT_WORDS else w for w in _WORD.findall(text.lower())]


@lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    """Words that carry meaning: not stopwords, at least 3 characters, plural 's' folded."""
    out = set()
    for w in words(text):
        if w in STOPWORDS or len(w) < 3:
            continue
        out.add(w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w)
    return frozenset(out)


@lru_cache(maxsize=65536)
def matches(pattern: re.Pattern[str], text: str) -> bool:
    """``pattern.search(text)``, remembered: the critique reruns on every keystroke over text that rarely
    changes,
    and some clinical patterns (a firearm within a few words of 'locked') are slow to search."""
    return pattern.search(text) is not None


_IRREGULAR = {"women": "woman", "men": "man", "children": "child", "people": "person", "wives": "wife"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, predictable stem so 'wages'/'wage', 'ranching'/'ranch', 'attends'/'attend' meet; the case side
    runs spaCy's lemmas through the same function, so both sides agree without loading spaCy for the plan."""
    w = word.lower().removesuffix("'s").removesuffix("\u2019s")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suffix, keep, shortest in (
        ("ies", "y", 3),
        ("ing", "", 3),
        ("ed", "", 3),
        ("es", "", 4),
        ("s", "", 3),
    ):
        if (
            w.endswith(suffix)
            and len(w) - len(suffix) >= shortest
            and not (suffix == "s" and w.endswith("ss"))
        ):
            w = w[: -len(suffix)] + keep
            if suffix in ("ing", "ed") and len(w) >= 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]  # 'cutt(ing)' -> 'cut', 'stopp(ed)' -> 'stop'
            break
    return w.removesuffix("e") if len(w) >= 4 and w.endswith("e") else w


@lru_cache(maxsize=8192)
def key_words(text: str) -> frozenset[str]:
    """Stems of the words that carry meaning (no stopwords, at least 3 letters): what 'the same words' means
    when the critique asks whether a plan uses a case's facts."""
    return frozenset(stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) >= 3)


@lru_cache(maxsize=8192)
def trigram_vector(text: str) -> tuple[dict[str, float], float]:
    """Trigram counts of the normalized text and the vector's norm."""
    norm = " " + " ".join(w for w in words(text) if w not in _BOILERPLATE) + " "
    counts = Counter(norm[i : i + 3] for i in range(len(norm) - 2))
    return dict(counts), math.sqrt(sum(c * c for c in counts.values()))


def cosine(a: str, b: str) -> float:
    """Cosine similarity of two texts' trigram vectors, 0..1."""
    va, na = trigram_vector(a)
    vb, nb = trigram_vector(b)
    if not na or not nb:
        return 0.0
    if len(va) > len(vb):
        va, vb = vb, va
    return sum(c * vb.get(g, 0.0) for g, c in va.items()) / (na * nb)


class TextIndex:
    """Many reference texts, indexed by trigram so one query costs its own trigrams, not the library size."""

    def __init__(self, texts: list[str]):
        self.texts = list(texts)
        self._norms: list[float] = []
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for i, text in enumerate(self.texts):
            vector, norm = trigram_vector(text)
            self._norms.append(norm)
            for gram, count in vector.items():
                self._postings.setdefault(gram, []).append((i, count))

    def best(self, text: str) -> tuple[int, float]:
        """Index and cosine of the most similar reference text (-1, 0.0 when none shares a trigram)."""
        vector, norm = trigram_vector(text)
        if not norm:
            return -1, 0.0
        dots: dict[int, float] = {}
        for gram, count in vector.items():
            for i, other in self._postings.get(gram, ()):
                dots[i] = dots.get(i, 0.0) + count * other
        if not dots:
            return -1, 0.0
        i, dot = max(dots.items(), key=lambda kv: kv[1] / self._norms[kv[0]])
        return i, dot / (norm * self._norms[i])
