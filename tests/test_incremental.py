"""Following the story: a run after new articles appear stores exactly the new related ones."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.newsweb import NewsWeb
from crawler.newsweb.content import load_corpus
from tests.conftest import corpus, crawl


def _newest(related: bool, count: int) -> list[str]:
    """Keys of the newest originals (not syndicated copies) with the given label, across sites."""
    articles = [
        a for a in load_corpus().by_key.values() if a.related == related and not a.syndicated_of
    ]
    articles.sort(key=lambda a: (a.published, a.key), reverse=True)
    return [a.key for a in articles[:count]]


@pytest.fixture(scope="module")
def held_back() -> list[str]:
    return _newest(True, 3) + _newest(False, 3)


def test_next_run_stores_exactly_the_new_related_articles(tmp_path: Path, held_back) -> None:
    with NewsWeb(first_host=30, hidden=held_back) as web:
        sources = web.write_sources(tmp_path / "sources.toml")
        data = tmp_path / "data"
        assert crawl(data, sources).returncode == 0
        first = {r["canonical_url"] for r in corpus(data)}

        published = web.publish(*held_back)
        assert len(published) == len(held_back)
        log_start = len(web.request_log)
        result = crawl(data, sources)
        assert result.returncode == 0, result.stderr[-3000:]
        records = corpus(data)
        new = {r["canonical_url"] for r in records} - first
        expected = {a.url for a in published if a.related and not a.disallowed}
        assert new == expected
        assert len(records) == len(first) + len(expected)  # nothing stored twice

        # known articles were not downloaded again; only the new ones were
        base = {urlsplit(site.base_url).hostname: site.base_url.rstrip("/") for site in web.sites}
        fetched = {base[host] + path for host, path in web.request_log[log_start:]}
        known_articles = {a.url for a in web.articles} - {a.url for a in published}
        assert not fetched & known_articles
        summary = json.loads(sorted((data / "runs").glob("*.json"))[-1].read_text("utf-8"))
        assert summary["totals"]["stored"] == len(expected)
