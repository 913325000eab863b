"""The parsed case library's JSON copy (``load_library_cached``): read instead of the YAML files while no
case file has changed, parsed afresh when one has, never hiding a broken file, one copy per library.
Commands and pages without a workspace keep theirs in the user's cache folder (``get_case``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from itp_toolkit.errors import InvalidInput, NotFound
from itp_toolkit.formats import files
from itp_toolkit.library import cases as library
from itp_toolkit.library.cases import get_case, load_library_cached

SHIPPED = Path(__file__).resolve().parents[2] / "case_studies"
CASE = "case-college-anxiety"


def _library(tmp_path: Path, name: str = "cases", ids: tuple[str, ...] = (CASE,)) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for case_id in ids:
        shutil.copy(SHIPPED / f"{case_id}.yaml", folder)
    return folder


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: object) -> None:
        raise AssertionError(f"parsed {path} although its copy was there")

    monkeypatch.setattr(files, "load_case", refuse)


def _retitle(folder: Path, title: str) -> None:
    path = folder / f"{CASE}.yaml"
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(old, f"title: {title}", 1), encoding="utf-8")


def test_the_second_read_takes_the_copy_and_gives_the_same_cases(tmp_path, monkeypatch) -> None:
    folder, cache = _library(tmp_path), tmp_path / "cache"
    first = load_library_cached(folder, cache)
    assert len(list(cache.glob("case-library-*.json"))) == 1
    _no_parsing(monkeypatch)
    assert load_library_cached(folder, cache) == first


def test_an_edited_case_is_parsed_afresh_and_its_old_copy_removed(tmp_path) -> None:
    folder, cache = _library(tmp_path), tmp_path / "cache"
    load_library_cached(folder, cache)
    _retitle(folder, "A much longer title the supervisor gave the case this morning")
    assert load_library_cached(folder, cache)[CASE].title.startswith("A much longer title")
    assert len(list(cache.glob("case-library-*.json"))) == 1


def test_a_broken_case_file_is_refused_with_its_line_although_a_copy_exists(tmp_path) -> None:
    folder, cache = _library(tmp_path), tmp_path / "cache"
    load_library_cached(folder, cache)
    (folder / "case-broken.yaml").write_text("id: case-broken\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        load_library_cached(folder, cache)
    assert refused.value.problems[0].file.endswith("case-broken.yaml") and refused.value.problems[0].line


def test_two_libraries_sharing_a_cache_folder_keep_a_copy_each(tmp_path, monkeypatch) -> None:
    ours = _library(tmp_path, "ours")
    theirs = _library(tmp_path, "theirs", ("case-perinatal-rural",))
    cache = tmp_path / "cache"
    load_library_cached(ours, cache)
    load_library_cached(theirs, cache)
    _no_parsing(monkeypatch)
    assert list(load_library_cached(ours, cache)) == [CASE]
    assert list(load_library_cached(theirs, cache)) == ["case-perinatal-rural"]


def test_a_cache_folder_that_cannot_be_written_still_gives_the_library(tmp_path) -> None:
    folder = _library(tmp_path)
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("", encoding="utf-8")
    assert list(load_library_cached(folder, not_a_folder / "cache")) == [CASE]


def test_get_case_keeps_the_library_in_the_users_cache_folder(tmp_path, monkeypatch) -> None:
    folder = _library(tmp_path)
    monkeypatch.setenv("ITP_CACHE_DIR", str(tmp_path / "user-cache"))
    assert get_case(CASE, folder).id == CASE
    assert len(list((tmp_path / "user-cache" / "itp-toolkit" / library.USER_CACHE).glob("*.json"))) == 1
    with pytest.raises(NotFound, match=f"known: {CASE}"):
        get_case("case-nobody", folder)
