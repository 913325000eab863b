"""``formats.cache.ByteCache``: bytes kept between processes, never an error when the disk will not help."""

from __future__ import annotations

import os

import pytest

from itp_toolkit.formats.cache import ByteCache, user_cache_dir


def test_what_was_put_comes_back_identical_and_a_miss_is_none(tmp_path):
    cache = ByteCache(tmp_path / "plots")
    assert cache.get("plot-abc") is None
    data = bytes(range(256)) * 40
    assert cache.put("plot-abc", data)
    assert cache.get("plot-abc") == data
    assert ByteCache(tmp_path / "plots").get("plot-abc") == data  # another process's cache object
    assert [p.name for p in (tmp_path / "plots").iterdir()] == ["plot-abc.bin"]  # no temporary left


def test_get_or_make_makes_once_and_then_reads(tmp_path):
    cache, calls = ByteCache(tmp_path), []

    def make():
        calls.append(1)
        return b"drawn"

    assert cache.get_or_make("k1", make) == b"drawn"
    assert cache.get_or_make("k1", make) == b"drawn"
    assert len(calls) == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:-5],  # cut short (a writer killed, a full disk)
        lambda raw: raw[:20] + bytes([raw[20] ^ 0xFF]) + raw[21:],  # a flipped byte in the checksum
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 0xFF]),  # a flipped byte in the content
        lambda raw: b"\x89PNG\r\n\x1a\n not ours",  # some other file under the name
        lambda raw: b"",
    ],
)
def test_a_damaged_file_is_a_miss_and_is_made_again(tmp_path, damage):
    cache = ByteCache(tmp_path)
    cache.put("k", b"the real picture")
    path = cache.path("k")
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get("k") is None
    assert cache.get_or_make("k", lambda: b"drawn again") == b"drawn again"
    assert cache.get("k") == b"drawn again"


def test_a_folder_that_cannot_be_written_still_gives_the_bytes(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    cache = ByteCache(blocked / "plots")
    assert cache.put("k", b"x") is False
    assert cache.get_or_make("k", lambda: b"drawn") == b"drawn"
    if os.geteuid() != 0:  # root writes anywhere: only a non-root run can check a read-only folder
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        assert ByteCache(ro).get_or_make("k", lambda: b"drawn") == b"drawn"
        assert not list(ro.iterdir())


def test_an_unreadable_file_is_a_miss(tmp_path):
    cache = ByteCache(tmp_path)
    cache.path("k").mkdir()  # a folder where the file should be: reading it fails
    assert cache.get("k") is None
    assert cache.get_or_make("k", lambda: b"drawn") == b"drawn"


@pytest.mark.parametrize("key", ["../escape", "a/b", "", ".hidden", "x" * 200])
def test_keys_are_file_names_and_nothing_else(tmp_path, key):
    with pytest.raises(ValueError):
        ByteCache(tmp_path).put(key, b"x")


def test_the_user_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ITP_CACHE_DIR", str(tmp_path / "itp"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_dir("plots") == tmp_path / "itp" / "itp-toolkit" / "plots"
    monkeypatch.delenv("ITP_CACHE_DIR")
    assert user_cache_dir("plots") == tmp_path / "xdg" / "itp-toolkit" / "plots"


def test_pages_missing_the_same_key_at_once_make_it_once_and_all_get_it(tmp_path):
    """A room's pages open the same case in the same second: one draws the plot, the rest wait and read it.
    (Each thread opens the lock file itself, as separate processes do; ``flock`` tells them apart.)"""
    import threading
    import time

    made: list[int] = []
    start = threading.Barrier(8)

    def draw() -> bytes:
        made.append(1)
        time.sleep(0.3)  # long enough that every other page misses while this one draws
        return b"plot"

    got: list[bytes] = []

    def page() -> None:
        start.wait()
        got.append(ByteCache(tmp_path / "plots").get_or_make("case-week", draw))

    pages = [threading.Thread(target=page) for _ in range(8)]
    for t in pages:
        t.start()
    for t in pages:
        t.join(timeout=60)
    assert got == [b"plot"] * 8
    assert len(made) == 1


def test_a_lock_held_too_long_means_making_it_oneself(tmp_path, monkeypatch):
    import fcntl

    import itp_toolkit.formats.cache as cache_module

    monkeypatch.setattr(cache_module, "LOCK_WAIT", 0.1)
    cache = ByteCache(tmp_path)
    cache.directory.mkdir(exist_ok=True)
    with open(cache.path("k").with_suffix(".lock"), "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a maker that never finishes
        assert cache.get_or_make("k", lambda: b"drawn") == b"drawn"
    assert cache.get("k") == b"drawn"
