"""The case library: the directory of teaching cases a programme ships or maintains.

By default it is ``case_studies/`` at the repository root; ``$ITP_CASE_LIBRARY`` points elsewhere (a
programme's own cases, or a test's temporary copy).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import TypeAdapter

from ..errors import InputProblem, InvalidInput, NotFound
from ..formats import files
from ..formats.cache import user_cache_dir
from ..model import CaseStudy
from .validation import case_files

ENV_VAR = "ITP_CASE_LIBRARY"

_LIBRARY = TypeAdapter(dict[str, CaseStudy])
"""The parsed library's JSON copy: read back validated (``load_library_cached``)."""


def case_library_dir() -> Path:
    """``$ITP_CASE_LIBRARY`` if set, else the repository's ``case_studies/``."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "case_studies"


def load_case_library(directory: str | Path | None = None) -> dict[str, CaseStudy]:
    """Every case in ``directory`` (default: the library), by id, sorted by id.

    One broken file makes the whole call fail with every problem found: a library half-loaded would
    hide a case from trainees without anyone noticing. ``itp cases validate`` shows what to fix.
    """
    directory = Path(directory) if directory is not None else case_library_dir()
    if not directory.is_dir():
        raise NotFound(f"case library {directory} does not exist (set ${ENV_VAR} or pass --library)")
    cases: dict[str, CaseStudy] = {}
    where: dict[str, Path] = {}
    problems: list[InputProblem] = []
    for path in case_files([directory]):
        try:
            case = files.load_case(path)
        except InvalidInput as exc:
            problems.extend(exc.problems)
            continue
        if case.id in cases:
            problems.append(
                InputProblem(
                    f"case id {case.id!r} is also used by {where[case.id]}", field="id", file=str(path)
                )
            )
            continue
        cases[case.id] = case
        where[case.id] = path
    if problems:
        raise InvalidInput(problems)
    return dict(sorted(cases.items()))


def get_case(case_id: str, directory: str | Path | None = None) -> CaseStudy:
    """The case with this id; NotFound names the ids that do exist.

    Read through the user's cache of parsed libraries (``load_library_cached``): a command such as
    ``itp critique CASE PLAN`` would otherwise parse every case file to find one."""
    cases = load_library_user_cached(directory)
    try:
        return cases[case_id]
    except KeyError:
        known = ", ".join(cases) or "none"
        raise NotFound(f"no case {case_id!r} in the library (known: {known})") from None


CACHE_DIR = ".itp-cache"
"""Where a workspace keeps derived files it can always rebuild (ignored by git)."""

USER_CACHE = "cases"
"""The user's cache folder (``formats.cache.user_cache_dir``) for libraries read without a workspace."""


def load_library_cached(directory: str | Path | None, cache_dir: Path) -> dict[str, CaseStudy]:
    """The case library, from a JSON copy of the last successful parse when no case file has changed.

    Parsing the YAML case files is most of a page's start-up work (0.3-0.7 s); reading the validated JSON
    copy takes under 10 ms. The copy is keyed by every case file's name, size and modification time and by
    the model's source files, so an edited case or a new toolkit version is parsed afresh. Only a library
    that loaded without problems is copied; a cache that cannot be read or written is simply not used.
    Each library keeps one copy (its older ones are removed), so libraries sharing ``cache_dir`` (the
    user's, say) do not evict each other.
    """
    from pydantic import ValidationError

    try:
        cached = _copy_path(directory, cache_dir)
        if cached.is_file():
            return _LIBRARY.validate_json(cached.read_bytes())
    except (OSError, ValueError, ValidationError):
        return load_case_library(directory)
    cases = load_case_library(directory)
    keep_library_copy(cases, directory, cache_dir)
    return cases


def keep_library_copy(cases: dict[str, CaseStudy], directory: str | Path | None, cache_dir: Path) -> None:
    """Leave ``cases``, just parsed from ``directory``, in ``cache_dir`` for ``load_library_cached`` (a new
    workspace keeps the library its seeding parsed). A folder that cannot be written keeps nothing."""
    try:
        cached = _copy_path(directory, cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob(f"{cached.name.rsplit('-', 1)[0]}-*.json"):  # this library's older copies
            old.unlink(missing_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(_LIBRARY.dump_json(cases))
        tmp.replace(cached)
    except OSError:
        pass


def _copy_path(directory: str | Path | None, cache_dir: Path) -> Path:
    """Where the parsed copy of the library as it is now belongs: ``case-library-<library>-<stamp>.json``."""
    import hashlib
    import json

    from .. import model

    library = Path(directory) if directory is not None else case_library_dir()
    stamp = [str(library.resolve())]
    for path in [*case_files([library]), *sorted(Path(model.__file__).parent.glob("*.py"))]:
        info = path.stat()
        stamp.append(f"{path}|{info.st_size}|{info.st_mtime_ns}")
    which = hashlib.sha256(stamp[0].encode()).hexdigest()[:12]
    version = hashlib.sha256(json.dumps(stamp).encode()).hexdigest()[:24]
    return cache_dir / f"case-library-{which}-{version}.json"


def load_library_user_cached(directory: str | Path | None = None) -> dict[str, CaseStudy]:
    """The case library read where no workspace keeps a parsed copy (a command, a page opened with only a
    store): through the user's cache folder, ``load_library_cached`` there."""
    return load_library_cached(directory, user_cache_dir(USER_CACHE))
