"""A damaged state database or near-duplicate index: found at start-up, reported in one line, and
rebuilt from the corpus by ``scrapy rebuild`` without destroying anything."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.datadir import (
    CORPUS_FILE,
    DUPLICATES_FILE,
    NEARDUP_FILE,
    STATE_FILE,
    DataDir,
    RunLock,
    rebuild,
)
from crawler.errors import CorruptDatabase
from crawler.newsweb import NewsWeb
from tests.conftest import corpus, crawl, read_jsonl, run_scrapy

BODY = " ".join(f"word{n}" for n in range(80))


def _record(n: int) -> dict:
    return {
        "id": f"{n:016x}",
        "url": f"https://ex.com/a/{n}",
        "canonical_url": f"https://ex.com/a/{n}",
        "content_hash": f"{n:064x}",
        "body": f"{BODY} story{n} " + " ".join(f"w{n}x{k}" for k in range(40)),
    }


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _garbage(path: Path) -> None:
    with path.open("r+b") as handle:  # keep the header, scramble the pages after it
        handle.seek(1024)
        handle.write(bytes(range(256)) * ((path.stat().st_size - 1024) // 256))


def _not_a_database(path: Path) -> None:
    path.write_text("this is not a database\n" * 200, encoding="utf-8")


def _bad_page(path: Path) -> None:
    with path.open("r+b") as handle:  # one b-tree page overwritten
        handle.seek(4096 * 2)
        handle.write(b"\xa5" * 4096)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "garbage": _garbage,
    "not a database": _not_a_database,
    "malformed page": _bad_page,
}


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A data directory with 30 records and one logged duplicate."""
    data = DataDir(tmp_path)
    for n in range(30):
        data.store(_record(n))
    data.duplicates.append(
        {"url": "https://copy.com/1", "canonical_url": "https://copy.com/1", "duplicate_of": "0"}
    )
    data.close()
    return tmp_path


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("name", [STATE_FILE, NEARDUP_FILE])
def test_damage_is_found_at_start_up(filled: Path, name: str, damage: str) -> None:
    corpus_before = (filled / CORPUS_FILE).read_bytes()
    DAMAGE[damage](filled / name)
    with pytest.raises(CorruptDatabase) as caught:
        DataDir(filled)
    message = str(caught.value)
    assert message.startswith(f"{filled / name}: ")
    assert "is unusable (damaged: " in message
    assert f"scrapy rebuild -s DATA_DIR={filled}" in message
    assert "\n" not in message
    assert (filled / CORPUS_FILE).read_bytes() == corpus_before
    RunLock(filled).acquire()  # the failed open released the lock
    RunLock(filled).release()


@pytest.mark.parametrize("damage", DAMAGE)
def test_rebuild_restores_what_the_corpus_knows(filled: Path, damage: str) -> None:
    state = filled / STATE_FILE
    DAMAGE[damage](state)
    damaged = state.read_bytes()
    done = rebuild(filled)
    assert done.rebuilt == [STATE_FILE]
    assert (done.records, done.duplicates) == (30, 1)
    kept = [p for p in done.set_aside if not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].name.startswith(f"{STATE_FILE}.corrupt-")
    assert kept[0].read_bytes() == damaged  # nothing destroyed
    data = DataDir(filled)
    assert data.state.record_by_key("ex.com/a/7").id == f"{7:016x}"
    assert data.state.record_by_hash(f"{7:064x}").id == f"{7:016x}"
    assert data.state.url_outcome("copy.com/1") == "duplicate"
    assert data.find_duplicate({**_record(99), "body": _record(3)["body"]}).kind == "near"
    data.close()


def test_rebuilt_index_finds_near_duplicates(filled: Path) -> None:
    _bad_page(filled / NEARDUP_FILE)
    done = rebuild(filled)
    assert done.rebuilt == [NEARDUP_FILE]
    data = DataDir(filled)
    assert len(data.neardup) == 30
    assert data.neardup.find(_record(5)["body"])[0] == f"{5:016x}"
    data.close()


def test_sound_databases_are_left_alone_unless_forced(filled: Path) -> None:
    assert rebuild(filled).rebuilt == []
    assert sorted(p.name for p in filled.iterdir() if ".sqlite." in p.name) == []
    done = rebuild(filled, force=True)
    assert done.rebuilt == [STATE_FILE, NEARDUP_FILE]
    assert {p.name.split(".replaced-")[0] for p in done.set_aside} == {STATE_FILE, NEARDUP_FILE}
    assert done.records == 30


def test_stale_write_ahead_log_goes_aside_with_its_database(filled: Path) -> None:
    (filled / f"{STATE_FILE}-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 100)
    _not_a_database(filled / STATE_FILE)
    done = rebuild(filled)
    assert any(p.name.endswith("-wal") for p in done.set_aside)
    data = DataDir(filled)
    assert data.state.record_by_key("ex.com/a/1") is not None
    data.close()


def test_rebuild_command_waits_for_no_crawl(filled: Path) -> None:
    _bad_page(filled / STATE_FILE)
    lock = RunLock(filled)
    lock.acquire()
    try:
        busy = run_scrapy("rebuild", "-s", f"DATA_DIR={filled}")
    finally:
        lock.release()
    assert busy.returncode == 75, busy.stderr
    assert "another crawl" in busy.stderr
    assert not list(filled.glob("*.corrupt-*"))


def test_crawl_refuses_damaged_state_then_rebuild_and_crawl_add_nothing(
    tmp_path: Path, web_sources: Path, newsweb: NewsWeb
) -> None:
    data = tmp_path / "data"
    assert crawl(data, web_sources).returncode == 0
    records = corpus(data)
    assert read_jsonl(data / DUPLICATES_FILE)  # the local web has a syndicated copy
    before = {name: (data / name).read_bytes() for name in (CORPUS_FILE, DUPLICATES_FILE)}
    _bad_page(data / STATE_FILE)

    refused = crawl(data, web_sources)
    assert refused.returncode == 3, refused.stderr[-3000:]
    assert "Traceback" not in refused.stderr
    errors = [line for line in refused.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {data / STATE_FILE}: state database is unusable")
    assert f"scrapy rebuild -s DATA_DIR={data}" in errors[0]

    rebuilt = run_scrapy("rebuild", "-s", f"DATA_DIR={data}")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"rebuilt {STATE_FILE} from {CORPUS_FILE}: {len(records)} records" in rebuilt.stdout
    assert "not recoverable" in rebuilt.stdout
    assert len(list(data.glob(f"{STATE_FILE}.corrupt-*Z"))) == 1

    again = crawl(data, web_sources)
    assert again.returncode == 0, again.stderr[-3000:]
    assert " 0 new records" in again.stderr
    for name, content in before.items():
        assert (data / name).read_bytes() == content, f"{name} changed"
