"""The ``itp`` command line.

Each command family lives in its own module with a ``register(subparsers)`` function; handlers return an
exit code. User mistakes surface as ``ITPError`` and are printed as one clear message, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from ..errors import ITPError

COMMAND_MODULES = (
    "schema",
    "cases",
    "plan",
    "critique",
    "workspace",
    "serve",
    "review",
    "db",
    "people",
    "cohort",
    "assign",
    "report",
    "scores",
    "publish",
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake on the command line is one line (what is wrong, and where help is), not the
    usage block followed by the error; subcommands' parsers are made by this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="itp", description="ITP Toolkit: treatment-plan training and supervision.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    import importlib

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:  # a command family not built yet in this checkout
            if exc.name and exc.name.endswith(f"cli.{name}"):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ITPError as exc:
        print(f"itp: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `itp ... | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
