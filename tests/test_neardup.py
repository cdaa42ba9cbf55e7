"""The near-duplicate index: copies found, distinct reports kept apart, persistence, determinism."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.errors import StorageError
from crawler.neardup import (
    SIMILARITY_THRESHOLD,
    NearDuplicateIndex,
    signature,
    similarity,
    words,
)
from crawler.newsweb.content import load_corpus

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "dedup"
CORPUS = load_corpus()


def body(key: str) -> str:
    return "\n\n".join(CORPUS.by_key[key].paragraphs)


def paragraphs(key: str) -> list[str]:
    return list(CORPUS.by_key[key].paragraphs)


def pairs() -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / "pairs.jsonl").read_text("utf-8").splitlines()]


@pytest.fixture
def index() -> Iterator[NearDuplicateIndex]:
    with NearDuplicateIndex(None) as idx:
        yield idx


def test_finds_the_webs_syndicated_copy(index: NearDuplicateIndex) -> None:
    index.add("northwind/1386420", body("northwind/1386420"))
    match = index.find(body("crescent/21913"))
    assert match is not None
    assert match[0] == "northwind/1386420"
    assert match[1] > 0.9


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: ["MOSCOW, January 10. /TASS/. " + p[0], *p[1:], "Based on materials from TASS"],
        lambda p: p[:-1],
        lambda p: [*p, "Earlier, the CSTO said its peacekeepers would leave within ten days."],
        lambda p: ["Subscribe to our channel on Telegram", *p[:2], *p[3:], "Photo: TASS"],
    ],
    ids=["dateline-and-credit", "dropped-paragraph", "added-paragraph", "boilerplate-and-drop"],
)
def test_finds_edited_copies(index: NearDuplicateIndex, edit) -> None:
    index.add("other", body("northwind/1385650"))
    index.add("original", body("northwind/1386790"))
    match = index.find("\n\n".join(edit(paragraphs("northwind/1386790"))))
    assert match is not None
    assert match[0] == "original"
    assert match[1] >= SIMILARITY_THRESHOLD


def test_distinct_reports_of_the_summit_are_not_merged(index: NearDuplicateIndex) -> None:
    summit = ("citadel/67568", "northwind/1385617", "northwind/1385650")
    for key in summit:
        assert index.find(body(key)) is None
        index.add(key, body(key))
    assert index.find(body("meridian/csto-summit-tokayev-coup")) is None
    seed = next((ROOT / "seeds").glob("*.txt")).read_text("utf-8")
    assert index.find(seed) is None


def test_only_the_syndicated_copy_matches_across_the_whole_web(index: NearDuplicateIndex) -> None:
    matched = set()
    for key in sorted(CORPUS.by_key):
        match = index.find(body(key))
        if match is not None:
            matched.add(frozenset((key, match[0])))
        index.add(key, body(key))
    assert matched == {frozenset(("crescent/21913", "northwind/1386420"))}


def test_precision_and_recall_on_the_evaluation_pairs() -> None:
    rows = pairs()
    assert sum(r["duplicate"] for r in rows) >= 60
    assert sum(not r["duplicate"] for r in rows) >= 60
    tp = fp = 0
    for row in rows:
        with NearDuplicateIndex(None) as idx:
            idx.add("a", row["a"]["body"])
            if idx.find(row["b"]["body"]) is not None:
                tp += row["duplicate"]
                fp += not row["duplicate"]
    precision = tp / (tp + fp)
    recall = tp / sum(r["duplicate"] for r in rows)
    assert precision >= 0.99
    assert recall >= 0.97


def test_pairs_fixture_is_reproducible() -> None:
    spec = importlib.util.spec_from_file_location("make_pairs", FIXTURES / "make_pairs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.dumps(module.generate()) == (FIXTURES / "pairs.jsonl").read_text("utf-8")


def test_short_texts_are_never_matched(index: NearDuplicateIndex) -> None:
    short = " ".join(words(body("northwind/1386420"))[:25])
    assert signature(short) is None
    index.add("short", short)
    assert len(index) == 0
    assert index.find(short) is None
    index.add("long", body("northwind/1386420"))
    assert index.find(short) is None


def test_add_is_idempotent(index: NearDuplicateIndex) -> None:
    index.add("a", body("northwind/1386420"))
    index.add("a", body("northwind/1386420"))
    index.add("a", body("steppe/3890112"))
    assert len(index) == 1
    assert index.find(body("steppe/3890112")) is None
    assert index.find(body("northwind/1386420")) == ("a", 1.0)


def test_earliest_added_wins_and_results_are_deterministic() -> None:
    keys = ["northwind/1386420", "crescent/21913", "steppe/3890112", "northwind/1386790"]

    def run() -> list[tuple[str, float] | None]:
        with NearDuplicateIndex(None) as idx:
            found = []
            for key in keys:
                found.append(idx.find(body(key)))
                idx.add(key, body(key))
            idx.add("later-identical", body("northwind/1386420"))
            found.append(idx.find(body("northwind/1386420")))
            return found

    first = run()
    assert first == run()
    assert first[1] is not None and first[1][0] == "northwind/1386420"
    assert first[-1] == ("northwind/1386420", 1.0)
    assert first[0] is None and first[2] is None and first[3] is None


def test_persists_across_reopen_and_processes(tmp_path: Path) -> None:
    path = tmp_path / "neardup.sqlite"
    with NearDuplicateIndex(path) as idx:
        idx.add("first", body("northwind/1386420"))
    script = (
        "import sys\n"
        "from crawler.neardup import NearDuplicateIndex\n"
        "with NearDuplicateIndex(sys.argv[1]) as idx:\n"
        "    assert idx.find(sys.argv[2])[0] == 'first'\n"
        "    idx.add('second', sys.argv[3])\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(path), body("crescent/21913"), body("steppe/3890112")],
        check=True,
        cwd=ROOT,
    )
    with NearDuplicateIndex(path) as idx:
        assert len(idx) == 2
        assert idx.find(body("crescent/21913"))[0] == "first"
        assert idx.find(body("steppe/3890112")) == ("second", 1.0)


def test_batched_writes_are_committed_on_close(tmp_path: Path) -> None:
    path = tmp_path / "neardup.sqlite"
    idx = NearDuplicateIndex(path, batch=1000)
    idx.add("a", body("northwind/1386420"))
    assert idx.find(body("crescent/21913"))[0] == "a"  # visible before the commit
    idx.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT doc_id FROM docs").fetchall() == [("a",)]


def test_signatures_can_be_computed_once(index: NearDuplicateIndex) -> None:
    sig = signature(body("northwind/1386420"))
    assert sig is not None
    index.add_signature("a", sig)
    copy = signature(body("crescent/21913"))
    assert index.find_signature(copy) == index.find(body("crescent/21913"))
    assert similarity(sig, copy) == index.find_signature(copy)[1]


def test_other_parameters_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "neardup.sqlite"
    NearDuplicateIndex(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '64' WHERE key = 'num_perm'")
    with pytest.raises(StorageError, match=r"neardup\.sqlite: .*other parameters"):
        NearDuplicateIndex(path)


def test_unusable_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "neardup.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StorageError, match=r"neardup\.sqlite: near-duplicate index is unusable"):
        NearDuplicateIndex(path)
