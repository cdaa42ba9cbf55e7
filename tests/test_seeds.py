from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.errors import InputError
from crawler.seeds import load_seeds, parse_seed_text, read_seed
from tests.conftest import SEEDS

SEED_FILE = next(SEEDS.glob("*.txt"))


def test_shipped_seed_with_its_sidecar() -> None:
    (seed,) = load_seeds(SEEDS)
    record = seed.record
    assert record["url"].startswith("https://russia-islworld.ru/en/main/csto-leaders-recognized")
    assert record["published"] == "2022-01-10T00:00:00Z"
    assert record["published_raw"] == "10 January"
    assert record["source"] == 'GSV "Russia - Islamic World"'
    assert record["based_on"] == "TASS"
    assert record["language"] == "en"
    assert record["is_seed"] and record["discovered_via"] == "seed"
    assert len(record["id"]) == 16


def test_plain_text_seed_without_sidecar(tmp_path: Path) -> None:
    copy = tmp_path / "seed.txt"
    copy.write_bytes(SEED_FILE.read_bytes())
    record = read_seed(copy)
    assert record["title"].startswith("CSTO leaders recognized events in Kazakhstan")
    assert record["published"] is None  # "10 January" names no year
    assert record["published_raw"] == "10 January"
    assert record["based_on"] == "TASS"
    assert record["url"] == "seed:seed.txt"
    assert record["language"] == "en"
    body = record["body"]
    assert body.startswith("The events in Kazakhstan were an attempt")
    assert "Reasons for the incident" in body.split("\n\n")  # subheadings stay, as paragraphs
    for credit in ("Based on materials", "Photo:", 'GSV "Russia'):
        assert credit not in body
    assert body.endswith("the situation in neighboring Afghanistan.")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("10 January 2022", "2022-01-10T00:00:00Z"),
        ("January 10, 2022", "2022-01-10T00:00:00Z"),
        ("2022-01-10", "2022-01-10T00:00:00Z"),
        ("10.01.2022", "2022-01-10T00:00:00Z"),
        ("10 января 2022", "2022-01-10T00:00:00Z"),
        ("10 January", None),
    ],
)
def test_date_lines(line: str, expected: str | None) -> None:
    parsed = parse_seed_text(f"Title\n\n{line}\n\nA paragraph of body text that is long enough.")
    assert parsed["published_raw"] == line
    assert parsed["published"] == expected


def test_a_first_paragraph_is_not_taken_for_a_date() -> None:
    parsed = parse_seed_text("Title\n\nMay the best team win, said the coach on Monday.")
    assert parsed["published_raw"] is None
    assert parsed["body"].startswith("May the best team win")


def test_credit_free_text_keeps_its_short_last_line() -> None:
    parsed = parse_seed_text("Title\n\nA paragraph of body text.\n\nClosing remarks")
    assert parsed["body"].endswith("Closing remarks")
    assert parsed["based_on"] is None


def test_several_seeds_sorted_by_name(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Second\n\nBody of the second seed.")
    (tmp_path / "a.txt").write_text("First\n\nBody of the first seed.")
    assert [s.record["title"] for s in load_seeds(tmp_path)] == ["First", "Second"]


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ("url = 'not a url'", r"url is not an http\(s\) URL"),
        ("published = 'yesterday'", "published must be a date"),
        ("publisher = 3", "publisher must be a string"),
        ("= broken", "not valid TOML"),
    ],
)
def test_bad_sidecars(tmp_path: Path, sidecar: str, message: str) -> None:
    (tmp_path / "s.txt").write_text("Title\n\nBody text.")
    (tmp_path / "s.toml").write_text(sidecar)
    with pytest.raises(InputError, match=message) as info:
        load_seeds(tmp_path)
    assert "s.toml" in str(info.value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_parses_or_fails_with_input_error(text: str) -> None:
    try:
        parsed = parse_seed_text(text, "fuzz.txt")
    except InputError as exc:
        assert str(exc).startswith("fuzz.txt: ")
        return
    assert parsed["title"] and parsed["body"]
    assert "\n\n\n" not in parsed["body"]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=500))
def test_any_file_reads_or_fails_with_input_error(tmp_path_factory, data: bytes) -> None:
    folder = tmp_path_factory.mktemp("seeds")
    (folder / "seed.txt").write_bytes(data)
    try:
        load_seeds(folder)
    except InputError as exc:
        assert "seed.txt" in str(exc)
