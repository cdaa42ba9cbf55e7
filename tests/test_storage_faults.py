"""A full or read-only ``DATA_DIR``: one clear error, exit 3, the corpus intact, and a later run
that continues without losing or duplicating a record.

Full disks are simulated three ways: ``corpus.jsonl`` or ``duplicates.jsonl`` as a symlink to
``/dev/full`` (every write fails with ENOSPC), a file size limit (``RLIMIT_FSIZE``: writes past it
fail with EFBIG, part-way too) and, where mounting is allowed, a small tmpfs. A read-only
directory is one without write permission, with root's permission override dropped from the
crawl's capability bounding set when the tests run as root.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.datadir import CORPUS_FILE, DUPLICATES_FILE, STATE_FILE, DataDir
from crawler.errors import StorageError
from crawler.newsweb import NewsWeb
from tests.conftest import ROOT, corpus, crawl, crawl_args, read_jsonl, stories

PR_CAPBSET_DROP = 24
# CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: what lets root ignore file permissions
PERMISSION_OVERRIDES = (1, 2, 3)


def _record(n: int) -> dict:
    return {
        "id": f"{n:016x}",
        "url": f"https://ex.com/a/{n}",
        "canonical_url": f"https://ex.com/a/{n}",
        "content_hash": f"{n:064x}",
        "body": f"text {n} " * 200,
    }


def _run(
    data: Path, sources: Path, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *crawl_args(data, sources)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=preexec,
        check=False,
    )


def _assert_storage_failure(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 3, one ``error:`` line (returned) holding every needle, no traceback, and the crawl
    stopped at the first failure instead of logging one error per item."""
    assert result.returncode == 3, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr[-3000:]
    for needle in needles:
        assert needle in errors[0], errors[0]
    assert sum(" ERROR: " in line for line in result.stderr.splitlines()) <= 1
    return errors[0]


def _state_ids(data: Path) -> set[str]:
    with sqlite3.connect(data / STATE_FILE) as db:
        return {row[0] for row in db.execute("SELECT id FROM records")}


def _assert_consistent(data: Path) -> list[dict]:
    """The corpus is whole JSON Lines and the state knows no record the corpus lacks."""
    records = corpus(data)
    assert _state_ids(data) <= {r["id"] for r in records}
    return records


def _assert_complete(data: Path, expected: set[str], web: NewsWeb) -> None:
    records = corpus(data)
    urls = [r["canonical_url"] for r in records]
    assert len(urls) == len(set(urls)), "a record was stored twice"
    assert stories(records, web) == expected
    assert records[0]["is_seed"]


@pytest.fixture(scope="module")
def expected(
    newsweb: NewsWeb, web_sources: Path, tmp_path_factory: pytest.TempPathFactory
) -> set[str]:
    """The stories an undisturbed crawl stores."""
    data = tmp_path_factory.mktemp("reference")
    assert crawl(data, web_sources).returncode == 0
    return stories(corpus(data), newsweb)


# --- units ------------------------------------------------------------------------------------


def test_failed_append_is_cut_back_to_whole_lines(tmp_path: Path) -> None:
    """A write past the file size limit stops part-way; the partial line must not stay."""
    path = tmp_path / "x.jsonl"
    code = (
        "import resource, signal\n"
        "from pathlib import Path\n"
        "from crawler.datadir import JsonLinesFile\n"
        "from crawler.errors import StorageError\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (10000, 10000))\n"
        f"out = JsonLinesFile(Path({str(path)!r}))\n"
        "try:\n"
        "    for n in range(1000):\n"
        "        out.append({'n': n, 'text': 'x' * 700})\n"
        "except StorageError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{path}: cannot write (file too large)"
    lines = read_jsonl(path)  # ends in a newline: no partial line
    assert 0 < len(lines) < 1000
    assert [line["n"] for line in lines] == list(range(len(lines)))


def test_store_on_a_full_disk_leaves_corpus_and_state_untouched(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    data.store(_record(1))
    data.close()
    before = (tmp_path / CORPUS_FILE).read_bytes()
    (tmp_path / CORPUS_FILE).rename(tmp_path / "kept.jsonl")
    (tmp_path / CORPUS_FILE).symlink_to("/dev/full")
    data = DataDir(tmp_path)
    with pytest.raises(
        StorageError, match=r"corpus\.jsonl: cannot write \(no space left on device"
    ):
        data.store(_record(2))
    assert data.failure is not None
    assert data.state.record_by_key("ex.com/a/2") is None
    with pytest.raises(StorageError):  # stopping: nothing more is written
        data.store(_record(3))
    data.close()
    (tmp_path / CORPUS_FILE).unlink()
    (tmp_path / "kept.jsonl").rename(tmp_path / CORPUS_FILE)
    assert (tmp_path / CORPUS_FILE).read_bytes() == before


def test_record_in_corpus_but_not_in_state_is_caught_up(tmp_path: Path) -> None:
    """A failed state write after a successful corpus append: the next open catches up."""
    data = DataDir(tmp_path)

    def full(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    data.state._db = _FailingWrites(data.state._db, full)
    with pytest.raises(StorageError, match=r"state\.sqlite: cannot write \(database or disk"):
        data.store(_record(1))
    data.state._db = data.state._db.inner
    data.close()
    assert len(read_jsonl(tmp_path / CORPUS_FILE)) == 1
    data = DataDir(tmp_path)
    assert data.state.record_by_key("ex.com/a/1") is not None
    data.close()


class _FailingWrites:
    """A SQLite connection whose writes (``BEGIN``) fail."""

    def __init__(self, inner: sqlite3.Connection, fail: Callable[..., None]) -> None:
        self.inner, self.fail = inner, fail

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql.startswith("BEGIN"):
            self.fail()
        return self.inner.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_run_summary_that_cannot_be_written_is_a_storage_error(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    (tmp_path / "runs" / "r1.json").mkdir()  # in the way of the summary
    with pytest.raises(StorageError, match=r"runs/r1\.json: cannot write \(is a directory\)"):
        data.write_run_summary("r1", {"run_id": "r1"})
    assert data.failure is not None
    data.close()
    assert not (tmp_path / "runs" / "r1.json.tmp").exists()


# --- crawls -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [CORPUS_FILE, DUPLICATES_FILE])
def test_full_device_stops_the_crawl_and_a_later_run_completes(
    tmp_path: Path, web_sources: Path, newsweb: NewsWeb, expected: set[str], name: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / name).symlink_to("/dev/full")
    result = _run(data, web_sources)
    _assert_storage_failure(result, f"{data / name}: cannot write (no space left on device)")
    if name == CORPUS_FILE:
        assert not _state_ids(data)  # nothing reached the corpus, so nothing the state
    else:
        _assert_consistent(data)
    summary = json.loads(next((data / "runs").glob("*.json")).read_text("utf-8"))
    assert summary["finish_reason"] == "storage_error"

    (data / name).unlink()  # space freed
    again = crawl(data, web_sources)
    assert again.returncode == 0, again.stderr[-3000:]
    _assert_complete(data, expected, newsweb)


def test_file_size_limit_mid_crawl_then_resume(
    tmp_path: Path, web_sources: Path, newsweb: NewsWeb, expected: set[str]
) -> None:
    """Writes past 300 kB fail (EFBIG), part-way through the crawl: the state database's
    write-ahead log reaches it first, after some records are stored."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

    data = tmp_path / "data"
    result = _run(data, web_sources, limit)
    line = _assert_storage_failure(result, f"error: {data}/")
    assert "cannot write" in line or "cannot open" in line
    _assert_consistent(data)

    again = crawl(data, web_sources)
    assert again.returncode == 0, again.stderr[-3000:]
    _assert_complete(data, expected, newsweb)


@pytest.fixture
def tmpfs(tmp_path: Path):
    """A 400 kB tmpfs (real ENOSPC), if this machine lets us mount one."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_full_filesystem_then_space_freed(
    tmpfs: Path, web_sources: Path, newsweb: NewsWeb, expected: set[str]
) -> None:
    data = tmpfs / "data"
    result = _run(data, web_sources)
    line = _assert_storage_failure(result, f"error: {data}/")
    assert "full" in line or "no space left on device" in line
    _assert_consistent(data)

    grown = subprocess.run(["mount", "-o", "remount,size=64m", str(tmpfs)], check=False)
    assert grown.returncode == 0
    again = crawl(data, web_sources)
    assert again.returncode == 0, again.stderr[-3000:]
    _assert_complete(data, expected, newsweb)


def _obey_permissions() -> None:
    """In the crawl's process: make root obey file permissions like any user."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in PERMISSION_OVERRIDES:
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def read_only(tmp_path: Path) -> Callable[[Path], None]:
    """Make paths read-only for the crawl (skips when that cannot be enforced here)."""
    probe = tmp_path / "probe"
    probe.mkdir(mode=0o555)
    code = f"open({str(probe / 'x')!r}, 'w')"
    try:
        tried = subprocess.run(
            [sys.executable, "-c", code], preexec_fn=_obey_permissions, capture_output=True,
            check=False,
        )  # fmt: skip
    except subprocess.SubprocessError as exc:
        pytest.skip(f"cannot drop root's permission override: {exc}")
    if tried.returncode == 0:
        pytest.skip("permissions are not enforced for this user")
    made: list[Path] = []

    def make(path: Path) -> None:
        path.chmod(path.stat().st_mode & ~0o222)
        made.append(path)

    yield make
    for path in made:
        path.chmod(path.stat().st_mode | 0o200)


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("everything", "cannot write here (permission denied)"),
        ("folder only", "state.sqlite: cannot open (attempt to write a readonly database)"),
        ("new folder", "cannot create data directory (permission denied)"),
    ],
)
def test_read_only_data_dir(
    tmp_path: Path,
    web_sources: Path,
    read_only: Callable[[Path], None],
    case: str,
    needle: str,
) -> None:
    parent = tmp_path / "parent"
    data = parent / "data"
    assert crawl(data, web_sources).returncode == 0
    before = {p.name: p.read_bytes() for p in data.iterdir() if p.suffix == ".jsonl"}
    if case == "new folder":
        data = parent / "new"
        read_only(parent)
    elif case == "folder only":
        read_only(data)
    else:
        for path in (*data.iterdir(), data):
            read_only(path)
    result = _run(data, web_sources, _obey_permissions)
    _assert_storage_failure(result, needle)
    if case != "new folder":
        assert {p.name: p.read_bytes() for p in data.iterdir() if p.suffix == ".jsonl"} == before
