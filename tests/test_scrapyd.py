"""Scrapyd: deploy the project with scrapyd-deploy and run ``related`` through ``schedule.json``."""

from __future__ import annotations

import configparser
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FAST, ROOT, SEEDS, corpus

pytest.importorskip("scrapyd", reason="scrapyd is not installed")
pytest.importorskip("scrapyd_client", reason="scrapyd-client is not installed")

POLLS = 600  # at 0.5 s each: an upper bound, never a pass/fail criterion
PROJECT_FILES = ("crawler", "scrapy.cfg", "pyproject.toml", "README.md")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _call(url: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=30) as response:
        answer = json.load(response)
    assert answer["status"] == "ok", answer
    return answer


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    """The URL of a Scrapyd on 127.0.0.1 with a free port and its own working folder."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\nmax_proc = 1\npoll_interval = 0.5\n",
        "utf-8",
    )
    with (home / "scrapyd.out").open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "scrapyd", "--pidfile="],
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(POLLS):
            assert process.poll() is None, (home / "scrapyd.out").read_text("utf-8")
            try:
                _call(url + "daemonstatus.json")
                break
            except OSError:
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


def _deploy(url: str, copy: Path) -> str:
    """Deploy a copy of the project to *url* with scrapyd-deploy's default target; the project."""
    copy.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    config = configparser.ConfigParser()
    config.read(copy / "scrapy.cfg")
    assert config.has_option("deploy", "url"), "scrapy.cfg: [deploy] needs a url"
    config["deploy"]["url"] = url
    with (copy / "scrapy.cfg").open("w") as handle:
        config.write(handle)
    result = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "--version", "test"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["status"] == "ok", result.stdout
    return config["deploy"]["project"]


def test_related_runs_through_scrapyd(scrapyd: str, tmp_path: Path, web_sources: Path) -> None:
    project = _deploy(scrapyd, tmp_path / "project")
    spiders = _call(scrapyd + f"listspiders.json?project={project}")["spiders"]
    assert "related" in spiders
    data = tmp_path / "data"
    settings = {
        **FAST,
        "SEEDS_DIR": str(SEEDS),  # seeds/ is not in the egg, and the job runs elsewhere
        "SOURCES_FILE": str(web_sources),
        "DATA_DIR": str(data),
    }
    job = _call(
        scrapyd + "schedule.json",
        [("project", project), ("spider", "related")]
        + [("setting", f"{name}={value}") for name, value in settings.items()],
    )["jobid"]
    for _ in range(POLLS):
        jobs = _call(scrapyd + f"listjobs.json?project={project}")
        if any(j["id"] == job for j in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"job {job} did not finish: {jobs}")
    records = corpus(data)
    assert records and records[0]["is_seed"], records[:1]
    related = [r for r in records if not r["is_seed"]]
    assert related, "the job stored no related article"
    [summary] = (data / "runs").glob("*.json")
    assert json.loads(summary.read_text("utf-8"))["finish_reason"] == "finished"
