from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extraction import extract_article

KEYS = {
    "title", "description", "body", "authors", "published", "published_raw", "modified",
    "language", "section", "tags", "image", "canonical_url", "based_on", "page_type", "extractor",
}  # fmt: skip

WEIRD_PAGES = [
    b"\x00\xff\xfe\x00garbage",
    b"<?xml version='1.0' encoding='utf-8'?><rss><channel><item>x</item></channel></rss>",
    "<?xml version='1.0' encoding='windows-1251'?><html><body><p>текст</p></body></html>",
    '<html><head><script type="application/ld+json">[1, "x", null, {"@type": 5}]</script>'
    '<script type="application/ld+json">{"@type": ["NewsArticle"], "author": 7, '
    '"datePublished": {"x": 1}, "keywords": {"a": 1}, "headline": ["A", "B"]}</script>'
    "</head><body><p>Body.</p></body></html>",
    '<html><head><script type="application/ld+json">{"@graph": {"@graph": []}}</script>'
    '<meta property="article:published_time" content="31/31/31"></head><body></body></html>',
    "<html><body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "</body></html>",
]


def test_weird_pages_give_full_records() -> None:
    for page in WEIRD_PAGES:
        record = extract_article(
            page, "https://example.com/x", content_type="text/html; charset=bogus"
        )
        assert set(record) == KEYS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.one_of(st.binary(max_size=2000), st.text(max_size=2000)),
    content_type=st.one_of(st.none(), st.text(max_size=40)),
)
def test_never_raises(body: bytes | str, content_type: str | None) -> None:
    record = extract_article(
        body, "https://example.com/a", content_type=content_type, fetched_at=datetime.now(UTC)
    )
    assert set(record) == KEYS
