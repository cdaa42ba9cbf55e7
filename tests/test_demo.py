"""``scrapy demo`` serves the local web and crawls it offline."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import corpus, run_scrapy


def test_demo_crawls_the_local_web(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    result = run_scrapy("demo", "--data", str(data), timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    records = corpus(data)
    assert records[0]["is_seed"]
    assert len(records) > 10
    assert f"{len(records)} records in {data / 'corpus.jsonl'}" in result.stdout
    assert "http://127.0.0.2:" in result.stdout
    # a second demo starts from an empty folder again: the seed is stored anew
    again = run_scrapy("demo", "--data", str(data), timeout=120)
    assert again.returncode == 0
    assert corpus(data)[0]["is_seed"]
    assert len(list((data / "runs").glob("*.json"))) == 1
