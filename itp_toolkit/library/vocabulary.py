"""The curated vocabulary of treatment modalities and concern synonyms (``data/vocabulary.yaml``).

One table, so the side-by-side alignment, the cohort and debrief tables and the critique agree on what a
trainee's words mean: plain "CBT" is cognitive behavioural therapy, not CBT for psychosis; "therapy" alone
names no modality; a problem about "grief" addresses a concern about "yearning for his wife".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Modality:
    """A named treatment: a stable key for grouping and the label tables show."""

    key: str
    label: str
    patterns: tuple[re.Pattern[str], ...]
    acronyms: re.Pattern[str] | None

    def matches(self, text: str) -> bool:
        if self.acronyms is not None and self.acronyms.search(text):
            return True
        return any(p.search(text) for p in self.patterns)


@dataclass(frozen=True)
class ConcernGroup:
    """Words clinicians use for one kind of presenting concern."""

    key: str
    label: str
    terms: re.Pattern[str]


@dataclass(frozen=True)
class Vocabulary:
    modalities: tuple[Modality, ...]
    concerns: tuple[ConcernGroup, ...]


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The vocabulary file, compiled once per process."""
    data = yaml.safe_load(resources.files(__package__).joinpath("data/vocabulary.yaml").read_text("utf-8"))
    modalities = tuple(
        Modality(
            key=m["key"],
            label=m["label"],
            patterns=tuple(re.compile(p, re.IGNORECASE) for p in m["patterns"]),
            acronyms=re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, m["acronyms"])) + r")(?![\w-])")
            if m.get("acronyms")
            else None,
        )
        for m in data["modalities"]
    )
    concerns = tuple(
        ConcernGroup(
            key=c["key"], label=c["label"], terms=re.compile("|".join(f"(?:{t})" for t in c["terms"]), re.I)
        )
        for c in data["concerns"]
    )
    return Vocabulary(modalities, concerns)


@lru_cache(maxsize=8192)
def modality(text: str) -> Modality | None:
    """The modality a name (or a description) refers to: the first, most specific, match; None when the words
    name no particular treatment ('therapy', 'weekly sessions')."""
    text = " ".join((text or "").split())
    if not text:
        return None
    for candidate in load_vocabulary().modalities:
        if candidate.matches(text):
            return candidate
    return None


@lru_cache(maxsize=8192)
def concern_groups(text: str) -> frozenset[str]:
    """Keys of every concern group whose words appear in ``text`` ('grief' for 'yearning for his wife')."""
    if not text:
        return frozenset()
    return frozenset(g.key for g in load_vocabulary().concerns if g.terms.search(text))


def concern_label(key: str) -> str:
    """The label of a concern group, e.g. 'Grief and bereavement'."""
    return next(g.label for g in load_vocabulary().concerns if g.key == key)


__all__ = [
    "ConcernGroup",
    "Modality",
    "Vocabulary",
    "concern_groups",
    "concern_label",
    "load_vocabulary",
    "modality",
]
