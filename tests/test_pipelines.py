from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.datadir import DataDir
from crawler.items import Article
from crawler.pipelines.dedup import DedupPipeline
from crawler.pipelines.normalize import NormalizePipeline, to_utc_iso
from crawler.pipelines.store import StorePipeline
from crawler.urls import record_id
from tests.conftest import corpus, read_jsonl

BODY = (
    "MOSCOW, January 10. The CSTO leaders met by video link.\n\n"
    "They discussed the events in Kazakhstan."
)


def _article(
    url: str = "https://ex.com/news/a-1/?utm_source=x#top", body: str = BODY, **extra
) -> Article:
    return Article(
        url=url,
        source="Ex",
        title="  CSTO   leaders meet ",
        body=body,
        discovered_via="feed",
        fetched_at="2022-01-11T00:00:00Z",
        extractor="test",
        **extra,
    )


def test_normalize_pipeline() -> None:
    item = _article(
        body=BODY + "\n\n\n  Photo: kremlin.ru \n\nBased on materials from TASS",
        published="2022-01-10T15:00:00+03:00",
        authors=["Anna  Ivanova", "Anna Ivanova"],
        canonical_url="https://other.example/copy",
    )
    NormalizePipeline().process_item(item)
    assert item.title == "CSTO leaders meet"
    assert item.body == BODY
    assert item.based_on == "TASS"
    assert item.published == "2022-01-10T12:00:00Z"
    assert item.authors == ["Anna Ivanova"]
    assert item.canonical_url == "https://ex.com/news/a-1/"  # cross-site canonical ignored
    assert item.id == record_id("https://ex.com/news/a-1/")
    assert len(item.content_hash) == 64


def test_normalize_honours_same_site_canonical() -> None:
    item = _article(canonical_url="https://ex.com/news/a-1-full/")
    NormalizePipeline().process_item(item)
    assert item.canonical_url == "https://ex.com/news/a-1-full/"


def test_normalize_drops_empty_records() -> None:
    with pytest.raises(DropItem):
        NormalizePipeline().process_item(_article(body="Photo: TASS"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-01-10", "2022-01-10T00:00:00Z"),
        ("2022-01-10T05:00:00-05:00", "2022-01-10T10:00:00Z"),
        ("not a date", None),
    ],
)
def test_to_utc_iso(value: str, expected: str | None) -> None:
    assert to_utc_iso(value) == expected


@pytest.fixture
def pipelines(tmp_path: Path):
    crawler = get_crawler(settings_dict={"DATA_DIR": str(tmp_path)})
    chain = [
        NormalizePipeline(),
        DedupPipeline.from_crawler(crawler),
        StorePipeline.from_crawler(crawler),
    ]
    for pipeline in chain[1:]:
        pipeline.open_spider()
    yield chain, crawler
    DataDir.for_crawler(crawler).close()


def _run(chain, item):
    for pipeline in chain:
        item = pipeline.process_item(item)
    return item


def test_dedup_and_store(pipelines, tmp_path: Path) -> None:
    chain, crawler = pipelines
    _run(chain, _article())
    with pytest.raises(DropItem, match="already in the corpus"):
        _run(chain, _article())  # the same page again
    with pytest.raises(DropItem, match="url duplicate"):
        _run(chain, _article(url="https://www.ex.com/news/a-1?from=rss"))
    with pytest.raises(DropItem, match="exact duplicate"):
        _run(chain, _article(url="https://copy.example/story/", body=BODY.upper()))
    _run(chain, _article(url="https://ex.com/news/b-2/", body=BODY + "\n\nA new paragraph."))
    DataDir.for_crawler(crawler).close()
    records = corpus(tmp_path)
    assert [r["url"] for r in records] == [
        "https://ex.com/news/a-1/?utm_source=x#top",
        "https://ex.com/news/b-2/",
    ]
    duplicates = read_jsonl(tmp_path / "duplicates.jsonl")
    assert [(d["kind"], d["duplicate_of"]) for d in duplicates] == [
        ("url", records[0]["id"]),
        ("exact", records[0]["id"]),
    ]
    assert {d["source"] for d in duplicates} == {"Ex"}
    stats = crawler.stats.get_stats()
    assert stats["news/stored/Ex"] == 2 and stats["news/duplicates/Ex"] == 2
    assert stats["news/known/Ex"] == 1


REPORT = [
    "MOSCOW, January 10. /TASS/. The leaders of the Collective Security Treaty Organization held"
    " an extraordinary video summit on Monday to discuss the situation in Kazakhstan.",
    "Kazakh President Kassym-Jomart Tokayev told his counterparts that the country had faced an"
    " attempted coup carried out by armed militants trained abroad.",
    "Russian President Vladimir Putin said the alliance would not allow colour revolutions in its"
    " member states and praised the speed of the peacekeeping deployment.",
    "Belarusian leader Alexander Lukashenko recalled the combined onslaught on his own country and"
    " urged the allies to be proactive in the information field.",
    "CSTO Secretary General Stanislav Zas said the peacekeeping mechanism had proved effective and"
    " that he would travel to Almaty on Tuesday to meet the mission's commander.",
]


def test_syndicated_copy_is_a_near_duplicate(pipelines, tmp_path: Path) -> None:
    chain, crawler = pipelines
    _run(chain, _article(url="https://agency.example/politics/1", body="\n\n".join(REPORT)))
    copy = _article(
        url="https://republisher.example/en/main/csto-summit-2022-01-10-1/",
        body="\n\n".join([REPORT[0].split("/TASS/. ")[1], *REPORT[1:4]])
        + "\n\nPhoto: kremlin.ru\n\nBased on materials from TASS",
    )
    copy.title = "CSTO leaders call events in Kazakhstan external aggression"
    with pytest.raises(DropItem, match="near duplicate"):
        _run(chain, copy)
    other = _article(
        url="https://other.example/news/summit",
        body="\n\n".join(
            "The CSTO summit on Kazakhstan heard Tokayev, Putin and Lukashenko speak about the"
            f" unrest, in the words of our own correspondent, part {n} of a separate report"
            " written independently with different sentences throughout."
            for n in range(5)
        ),
    )
    _run(chain, other)  # a different report of the same event is kept
    DataDir.for_crawler(crawler).close()
    (duplicate,) = read_jsonl(tmp_path / "duplicates.jsonl")
    assert duplicate["kind"] == "near" and 0.3 <= duplicate["similarity"] < 1.0
    assert duplicate["based_on"] == "TASS"
    assert [r["url"] for r in corpus(tmp_path)][1] == "https://other.example/news/summit"
