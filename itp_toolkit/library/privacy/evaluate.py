"""Precision and recall of the privacy check on a labelled corpus (the figures in docs/privacy.md)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import engine
from .scan import scan_text
from .words import CATEGORIES


@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    """Precision and recall of ``scan_text`` on a labelled corpus, per category and overall."""

    per_category: dict[str, _Tally]
    overall: _Tally
    misses: list[tuple[str, str, str]]
    """(category, expected text, sentence) for every identifier not found in its category."""
    false_alarms: list[tuple[str, str, str]]
    """(category, flagged text, sentence) for every finding that is not a labelled identifier."""
    sentences: int
    clean_sentences: int
    startup_seconds: float
    mean_ms_per_text: float


def load_corpus(path: str | Path) -> list[dict[str, Any]]:
    """The labelled corpus: a YAML list of ``{text, expect: [{category, text}], note?}``."""
    import yaml

    items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for item in items:
        for exp in item.get("expect", []) or []:
            if exp["category"] not in CATEGORIES:
                raise ValueError(f"unknown category {exp['category']!r} in corpus item {item['text']!r}")
            if exp["text"] not in item["text"]:
                raise ValueError(f"{exp['text']!r} does not occur in {item['text']!r}")
    return items


def evaluate(items: list[dict[str, Any]]) -> Evaluation:
    """Match findings to expected spans: same category and overlapping characters count as found."""
    started = time.perf_counter()
    engine.analyzer()
    startup = engine.startup_seconds if engine.startup_seconds is not None else time.perf_counter() - started
    per = {c: _Tally() for c in CATEGORIES}
    misses: list[tuple[str, str, str]] = []
    false_alarms: list[tuple[str, str, str]] = []
    elapsed = 0.0
    for item in items:
        text = item["text"]
        t0 = time.perf_counter()
        findings = scan_text(text)
        elapsed += time.perf_counter() - t0
        expected = []
        for exp in item.get("expect", []) or []:
            start = text.index(exp["text"])
            expected.append((exp["category"], start, start + len(exp["text"]), exp["text"]))
        matched: set[int] = set()
        for cat, start, end, etext in expected:
            hit = next(
                (
                    i
                    for i, f in enumerate(findings)
                    if i not in matched and f.category == cat and f.start < end and start < f.end
                ),
                None,
            )
            if hit is None:
                per[cat].fn += 1
                misses.append((cat, etext, text))
            else:
                per[cat].tp += 1
                matched.add(hit)
        for i, f in enumerate(findings):
            if i not in matched:
                per[f.category].fp += 1
                false_alarms.append((f.category, f.text, text))
    overall = _Tally(
        sum(t.tp for t in per.values()), sum(t.fp for t in per.values()), sum(t.fn for t in per.values())
    )
    return Evaluation(
        per_category=per,
        overall=overall,
        misses=misses,
        false_alarms=false_alarms,
        sentences=len(items),
        clean_sentences=sum(1 for i in items if not i.get("expect")),
        startup_seconds=startup,
        mean_ms_per_text=1000 * elapsed / max(1, len(items)),
    )


def evaluation_markdown(ev: Evaluation, corpus: str) -> str:
    """The table and lists docs/privacy.md shows, exactly as measured."""
    lines = [
        f"Measured on `{corpus}` ({ev.sentences} sentences, {ev.clean_sentences} of them with no identifier) "
        f"with `python -m itp_toolkit.library.privacy --evaluate {corpus} --write docs/privacy.md`.",
        "",
        f"Analyzer start-up (model load and first scan): {ev.startup_seconds:.2f} s; "
        f"mean scan time per sentence: {ev.mean_ms_per_text:.1f} ms.",
        "",
        "| category | expected | found | missed | false alarms | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for cat, t in ev.per_category.items():
        if t.tp + t.fn + t.fp == 0:
            continue
        lines.append(
            f"| {cat} | {t.tp + t.fn} | {t.tp} | {t.fn} | {t.fp} | {t.precision:.2f} | {t.recall:.2f} |"
        )
    o = ev.overall
    lines.append(
        f"| **all** | {o.tp + o.fn} | {o.tp} | {o.fn} | {o.fp} | {o.precision:.2f} | {o.recall:.2f} |"
    )
    lines += ["", "Known misses (identifier not found in its category):", ""]
    lines += [f'- {cat}: `{t}` in "{s}"' for cat, t, s in ev.misses] or ["- none"]
    lines += ["", "False alarms (flagged, but not a labelled identifier):", ""]
    lines += [f'- {cat}: `{t}` in "{s}"' for cat, t, s in ev.false_alarms] or ["- none"]
    return "\n".join(lines) + "\n"
