"""Shared fixtures: the local news web, a crawl runner and the record schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from crawler.newsweb import NewsWeb

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "crawler" / "schema" / "article.schema.json").read_text("utf-8"))
SEEDS = ROOT / "seeds"
# The local web answers at once and is ours: no politeness delays in tests.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
}


@pytest.fixture(scope="session")
def newsweb() -> Iterator[NewsWeb]:
    with NewsWeb() as web:
        yield web


@pytest.fixture(scope="session")
def web_sources(newsweb: NewsWeb, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return newsweb.write_sources(tmp_path_factory.mktemp("web") / "sources.toml")


def run_scrapy(
    *args: str, cwd: Path = ROOT, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy <args>`` in a subprocess from the repo root."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def crawl_args(
    data_dir: Path,
    sources: Path,
    *extra: str,
    seeds: Path = SEEDS,
    settings: dict[str, str] | None = None,
) -> list[str]:
    """Arguments of ``scrapy crawl related`` with the three settings the acceptance checks use."""
    options = [f"-s{k}={v}" for k, v in {**FAST, **(settings or {})}.items()]
    return ["crawl", "related", "-s", f"SEEDS_DIR={seeds}", "-s", f"SOURCES_FILE={sources}",
            "-s", f"DATA_DIR={data_dir}", *options, *extra]  # fmt: skip


def crawl(
    data_dir: Path,
    sources: Path,
    *extra: str,
    seeds: Path = SEEDS,
    settings: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy crawl related`` to the end."""
    return run_scrapy(*crawl_args(data_dir, sources, *extra, seeds=seeds, settings=settings))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSON Lines file, each checked to be a whole JSON object."""
    if not path.exists():
        return []
    text = path.read_text("utf-8")
    assert not text or text.endswith("\n"), f"{path} ends in a broken line"
    return [json.loads(line) for line in text.splitlines()]


def corpus(data_dir: Path) -> list[dict[str, Any]]:
    """The corpus records, each validated against the JSON Schema."""
    records = read_jsonl(data_dir / "corpus.jsonl")
    for record in records:
        jsonschema.validate(record, SCHEMA)
    return records


def stories(records: list[dict[str, Any]], web: NewsWeb) -> set[str]:
    """The stories records stand for: a syndicated copy counts as its original (which of the two
    is kept depends on which was fetched first)."""
    original = {a.url: a.syndicated_of for a in web.articles if a.syndicated_of}
    return {original.get(r["canonical_url"], r["canonical_url"]) for r in records}
