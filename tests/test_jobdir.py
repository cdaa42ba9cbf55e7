"""The JOBDIR scheduler resumes a paused job only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.jobdir import reset_unless_paused


def _job(directory: Path, active: object | None) -> Path:
    queue = directory / "requests.queue"
    queue.mkdir(parents=True)
    (queue / "p0").write_bytes(b"\x00\x01")
    (directory / "requests.seen").write_text("fingerprint\n")
    if active is not None:
        (queue / "active.json").write_text(json.dumps(active))
    return directory


@pytest.mark.parametrize(("active", "kept"), [({}, False), (None, False), ([[0, 0]], True)])
def test_only_a_paused_job_is_kept(tmp_path: Path, active: object | None, kept: bool) -> None:
    """``{}``: the last run finished; missing: it was killed; a queue list: it was paused."""
    job = _job(tmp_path, active)
    reset_unless_paused(job)
    assert (job / "requests.seen").exists() is kept
    assert (job / "requests.queue").exists() is kept


def test_a_new_job_directory_is_left_alone(tmp_path: Path) -> None:
    reset_unless_paused(tmp_path)
    assert list(tmp_path.iterdir()) == []
