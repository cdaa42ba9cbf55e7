import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "extraction"


def scrapy_extract(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def server() -> Iterator[str]:
    handler = partial(SimpleHTTPRequestHandler, directory=str(FIXTURES))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_saved_page_with_url() -> None:
    result = scrapy_extract(str(FIXTURES / "kremlin.html"), "--url", "http://en.kremlin.ru/d/67559")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["url"] == "http://en.kremlin.ru/d/67559"
    assert record["extractor"] == "rule:kremlin"
    assert "INFO" not in result.stderr  # records on stdout, nothing but problems on stderr


def test_fetched_urls_and_missing_file(server: str) -> None:
    result = scrapy_extract(f"{server}/generic_article.html", "no-such-page.html")
    assert result.returncode == 1
    assert "no-such-page.html: cannot read" in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["title"] for r in records] == ["Unrest in Kazakhstan: what we know"]
    assert records[0]["url"] == f"{server}/generic_article.html"
