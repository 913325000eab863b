"""``python -m itp_toolkit.library.privacy``: scan texts, or measure the check on a labelled corpus."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .evaluate import evaluate, evaluation_markdown, load_corpus
from .scan import scan_text

_START, _END = "<!-- evaluation:start -->", "<!-- evaluation:end -->"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m itp_toolkit.library.privacy",
        description="Scan texts for Safe Harbor identifiers, or measure the check on a labelled corpus.",
    )
    parser.add_argument(
        "--evaluate", metavar="CORPUS", help="labelled corpus YAML to measure precision/recall on"
    )
    parser.add_argument("--write", metavar="DOC", help="replace the evaluation section of this Markdown file")
    parser.add_argument("text", nargs="*", help="text to scan (one finding per line)")
    args = parser.parse_args(argv)
    if args.evaluate:
        report = evaluation_markdown(evaluate(load_corpus(args.evaluate)), args.evaluate)
        if args.write:
            doc = Path(args.write)
            body = doc.read_text(encoding="utf-8")
            if _START not in body or _END not in body:
                raise SystemExit(f"{doc} has no {_START} ... {_END} section")
            head, rest = body.split(_START, 1)
            _, tail = rest.split(_END, 1)
            doc.write_text(f"{head}{_START}\n{report}{_END}{tail}", encoding="utf-8")
        print(report, end="")
        return 0
    for text in args.text:
        for f in scan_text(text):
            print(f"{f.start}-{f.end}\t{f.category}\t{f.text}\t{f.score}\t{f.detector}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
