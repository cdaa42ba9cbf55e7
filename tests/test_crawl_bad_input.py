"""Bad input: one line naming the file and the problem, a non-zero exit, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crawler.datadir import RunLock
from tests.conftest import SEEDS, crawl

SOURCE = '[[sources]]\nname = "Local"\nurl = "http://127.0.0.1:9/"\n'


def _seed_dir(tmp_path: Path, name: str, content: bytes | None) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    if content is not None:
        (folder / name).write_bytes(content)
    return folder


def _sources(tmp_path: Path, text: str = SOURCE) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _assert_clean_failure(result, data: Path, *needles: str, code: int = 2) -> None:
    assert result.returncode == code, result.stderr[-2000:]
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error_lines) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in error_lines[0]
    assert not (data / "corpus.jsonl").exists() or not (data / "corpus.jsonl").read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.txt", b"  \n\n", "seed file is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Caf\xe9 news\n\nBody text".encode("latin-1"), "not valid UTF-8"),
        ("title-only.txt", b"Just a title\n", "no body text"),
        ("notes.md", b"not a seed", "no seed files"),
    ],
)
def test_bad_seed(tmp_path: Path, name: str, content: bytes, needle: str) -> None:
    seeds = _seed_dir(tmp_path, name, content)
    data = tmp_path / "data"
    result = crawl(data, _sources(tmp_path), seeds=seeds)
    _assert_clean_failure(result, data, needle)
    if name.endswith(".txt"):
        assert name in result.stderr


def test_missing_seed_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = crawl(data, _sources(tmp_path), seeds=tmp_path / "nope")
    _assert_clean_failure(result, data, "nope", "does not exist")


def test_bad_sidecar(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    next(seeds.glob("*.toml")).write_text('url = "https://x.example/a"\nauthor = "me"\n')
    data = tmp_path / "data"
    _assert_clean_failure(
        crawl(data, _sources(tmp_path), seeds=seeds), data, "unknown key 'author'"
    )


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("[[sources]\nname = 'x'", ("sources.toml", "not valid TOML")),
        ("", ("no [[sources]] tables",)),
        ('[[sources]]\nname = "A"\n', ("sources[0] (A)", "missing 'url'")),
        (
            '[[sources]]\nname = "A"\nurl = "http://a.example/"\nfeed = "x"\n',
            ("unknown key 'feed'",),
        ),
        ('[[sources]]\nname = "A"\nurl = "ftp://a.example/"\n', ("not an http(s) URL",)),
        (
            '[[sources]]\nname = "A"\nurl = "http://a.example/"\nsearch = "http://a.example/s"\n',
            ("{query}",),
        ),
    ],
)
def test_bad_sources_file(tmp_path: Path, text: str, needles: tuple[str, ...]) -> None:
    data = tmp_path / "data"
    _assert_clean_failure(crawl(data, _sources(tmp_path, text)), data, *needles)


def test_missing_sources_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = crawl(data, tmp_path / "missing.toml")
    _assert_clean_failure(result, data, "missing.toml", "does not exist")


@pytest.mark.parametrize(
    ("arg", "needle"),
    [("since=last week", "-a since"), ("min_relevance=2", "-a min_relevance")],
)
def test_bad_spider_argument(tmp_path: Path, arg: str, needle: str) -> None:
    data = tmp_path / "data"
    _assert_clean_failure(crawl(data, _sources(tmp_path), "-a", arg), data, needle)


def test_busy_data_dir_exits_with_a_clear_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lock = RunLock.for_directory(data)
    lock.acquire()
    try:
        result = crawl(data, _sources(tmp_path))
    finally:
        lock.release()
    _assert_clean_failure(result, data, "another crawl", code=75)


def test_unusable_data_dir_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = crawl(blocker / "data", _sources(tmp_path))
    assert result.returncode == 3, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "cannot create data directory" in result.stderr
