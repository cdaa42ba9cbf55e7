from datetime import UTC, datetime

import pytest

from crawler.extraction import extract_article

FETCHED = datetime(2022, 3, 1, tzinfo=UTC)
BODY = "<p>" + "The leaders of the alliance met by video link on Monday. " * 8 + "</p>"


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body><article>{body}{BODY}</article></body></html>"


JSONLD = (
    '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "%s"}</script>'
)
META = '<meta property="article:published_time" content="%s">'
TIME = '<time datetime="%s">a while ago</time>'
VISIBLE = '<div class="article-date">%s</div>'


@pytest.mark.parametrize(
    ("head", "body", "url", "published", "raw"),
    [
        (JSONLD % "2022-01-10T21:48:00+03:00" + META % "2022-01-09T00:00:00Z", TIME % "2022-01-08",
         "https://x.org/2022/01/07/a", "2022-01-10T18:48:00Z", "2022-01-10T21:48:00+03:00"),
        (META % "2022-01-09T10:00:00+01:00", TIME % "2022-01-08", "https://x.org/2022/01/07/a",
         "2022-01-09T09:00:00Z", "2022-01-09T10:00:00+01:00"),
        ("", TIME % "2022-01-08T12:00:00Z", "https://x.org/2022/01/07/a",
         "2022-01-08T12:00:00Z", "2022-01-08T12:00:00Z"),
        ("", "", "https://x.org/news/2022/01/07/a", "2022-01-07T00:00:00Z", "2022/01/07"),
        ("", VISIBLE % "10 января 2022, 21:48", "https://x.org/a", "2022-01-10T21:48:00Z",
         "10 января 2022, 21:48"),
        ("", VISIBLE % "2 days ago", "https://x.org/a", "2022-02-27T00:00:00Z", "2 days ago"),
    ],
)  # fmt: skip
def test_order_of_trust(head: str, body: str, url: str, published: str, raw: str) -> None:
    record = extract_article(page(head, body), url, fetched_at=FETCHED)
    assert (record["published"], record["published_raw"]) == (published, raw)


def test_future_and_ancient_dates_fall_through_to_the_next_source() -> None:
    head = JSONLD % "2030-01-01T00:00:00Z" + META % "1970-01-01T00:00:00Z"
    record = extract_article(page(head, TIME % "2022-01-08"), "https://x.org/a", fetched_at=FETCHED)
    assert record["published"] == "2022-01-08T00:00:00Z"


def test_no_date_at_all() -> None:
    record = extract_article(page(), "https://x.org/a", fetched_at=FETCHED)
    assert record["published"] is None and record["published_raw"] is None


def test_modified_date() -> None:
    head = '<meta property="article:modified_time" content="2022-01-11T08:00:00+06:00">'
    record = extract_article(page(head), "https://x.org/a", fetched_at=FETCHED)
    assert record["modified"] == "2022-01-11T02:00:00Z"
