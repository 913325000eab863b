"""The one result schema every benchmark writes with ``--json PATH``, so ``run_all.py`` can put five
scripts' figures into one table without parsing their printed text.

A results file is one benchmark's ``Report``: its figures (a value with its unit, the goal as text, and a
verdict: met, missed, or "—" where there is no goal) and the parts it skipped with the reason. A ratio
(trainee/bare time-to-interactive, cohort growth per draft) is a figure whose unit is ``×``.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

SCHEMA = 1
MET, MISSED, NO_GOAL = "met", "missed", "—"
RATIO = "×"


def verdict(ok: bool | None) -> str:
    """``None`` where the figure has no goal to meet."""
    return NO_GOAL if ok is None else (MET if ok else MISSED)


@dataclass
class Figure:
    figure: str
    value: float | None  # None: nothing was measured (e.g. no save succeeded); the note says why
    unit: str = ""
    goal: str = ""
    verdict: str = NO_GOAL
    note: str = ""

    def shown(self) -> str:
        """The value as a person reads it: its unit and sensible digits (the note goes in its own column)."""
        if self.value is None:
            return "none"
        if isinstance(self.value, int):  # a count (JSON keeps 3 and 3.0 apart)
            text = f"{self.value}"
        elif self.unit == RATIO:
            text = f"{self.value:.2f}{RATIO}"
        else:
            digits = 1 if self.unit == "ms" else (3 if abs(self.value) < 0.1 else 2)
            text = f"{self.value:.{digits}f}"
        return f"{text} {self.unit}" if self.unit and self.unit != RATIO else text


@dataclass
class Report:
    """One benchmark run's results; ``skipped`` is a list of ``{"what": ..., "reason": ...}``."""

    benchmark: str
    figures: list[Figure] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def add(
        self,
        figure: str,
        value: float | None,
        unit: str = "",
        goal: str = "",
        ok: bool | None = None,
        note: str = "",
    ) -> None:
        if value is not None and not math.isfinite(value):
            value = None
        self.figures.append(Figure(figure, value, unit, goal, verdict(ok), note))

    def skip(self, what: str, reason: str) -> None:
        self.skipped.append({"what": what, "reason": reason})

    def write(self, path: Path | None) -> None:
        """Write the JSON file when the script was given ``--json PATH``; a no-op otherwise."""
        if path is None:
            return
        data = {
            "schema": SCHEMA,
            "benchmark": self.benchmark,
            "figures": [asdict(f) for f in self.figures],
            "skipped": self.skipped,
        }
        Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Report:
        """Raises ValueError on a file that is not this schema (the runner shows that as a crash)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValueError(f"{path} is not a schema-{SCHEMA} benchmark results file")
        try:
            figures = [Figure(**f) for f in data["figures"]]
            skipped = [{"what": str(s["what"]), "reason": str(s["reason"])} for s in data["skipped"]]
            return cls(str(data["benchmark"]), figures, skipped)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}: malformed results ({exc})") from exc


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help="also write the figures to PATH as JSON (what benchmarks/run_all.py reads)",
    )


def skip_whole(report: Report, reason: str, path: Path | None) -> int:
    """A benchmark that cannot run here (no browser, no server): say so, record it, exit 0."""
    print(f"{report.benchmark} skipped: {reason}")
    report.skip("whole benchmark", reason)
    report.write(path)
    return 0
