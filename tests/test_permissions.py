"""Data files are created ``0o644`` and folders ``0o755``, less under a stricter umask, and never
group- or world-writable, even with umask 000."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.datadir import DataDir
from crawler.newsweb import NewsWeb
from tests.conftest import ROOT, crawl_args

FILES = (".lock", "corpus.jsonl", "duplicates.jsonl", "state.sqlite", "neardup.sqlite")


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the test process's umask whatever a test sets."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _fill(folder: Path) -> dict[str, int]:
    """Open a data directory, write every kind of file, and return each one's mode (the
    SQLite write-ahead logs only exist while the databases are open)."""
    data = DataDir(folder)
    data.store(
        {"id": "1" * 16, "url": "https://ex.com/a", "canonical_url": "https://ex.com/a",
         "content_hash": "0" * 64, "body": " ".join(f"w{n}" for n in range(60))}
    )  # fmt: skip
    data.duplicates.append({"url": "https://ex.com/b", "duplicate_of": "1" * 16})
    data.neardup.commit()
    data.write_run_summary("r1", {"run_id": "r1"})
    modes = {name: _mode(folder / name) for name in os.listdir(folder) if name != "runs"}
    data.close()
    modes["runs/r1.json"] = _mode(folder / "runs" / "r1.json")
    return modes


@pytest.mark.parametrize(
    ("mask", "file_mode", "dir_mode"),
    [(0o000, 0o644, 0o755), (0o022, 0o644, 0o755), (0o027, 0o640, 0o750), (0o077, 0o600, 0o700)],
)
def test_modes_follow_the_umask_but_are_never_group_or_world_writable(
    tmp_path: Path, umask: None, mask: int, file_mode: int, dir_mode: int
) -> None:
    folder = tmp_path / "new" / "parents" / "data"
    os.umask(mask)
    modes = _fill(folder)
    assert {*FILES, "state.sqlite-wal", "state.sqlite-shm", "runs/r1.json"} <= set(modes)
    assert modes == dict.fromkeys(modes, file_mode)
    for made in (tmp_path / "new", tmp_path / "new" / "parents", folder, folder / "runs"):
        assert _mode(made) == dir_mode, made


def test_a_crawl_under_umask_000_writes_nothing_others_can_change(
    tmp_path: Path, web_sources: Path, newsweb: NewsWeb
) -> None:
    data = tmp_path / "out" / "data"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", *crawl_args(data, web_sources)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(0),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = [Path(root) / name for root, dirs, files in os.walk(tmp_path / "out")
             for name in (*dirs, *files)]  # fmt: skip
    assert {*FILES, "runs"} <= {path.name for path in found}
    for path in found:
        assert _mode(path) == (0o755 if path.is_dir() else 0o644), path
