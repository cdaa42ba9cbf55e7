from datetime import UTC, datetime
from pathlib import Path

from crawler.extraction import extract_article
from crawler.extraction.body import choose_body
from crawler.extraction.generic import Block

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
KEYS = {
    "title",
    "description",
    "body",
    "authors",
    "published",
    "published_raw",
    "modified",
    "language",
    "section",
    "tags",
    "image",
    "canonical_url",
    "based_on",
    "page_type",
    "extractor",
}


def generic() -> dict:
    return extract_article(
        (FIXTURES / "generic_article.html").read_bytes(),
        "https://example.com/world/2022/01/10/kazakhstan-unrest?utm_source=x",
        content_type="text/html; charset=utf-8",
        fetched_at=datetime(2022, 3, 1, tzinfo=UTC),
    )


def test_all_keys_present_even_for_garbage() -> None:
    for html in (b"", "not html at all", b"<html></html>"):
        record = extract_article(html, "https://example.com/x")
        assert set(record) == KEYS
        assert record["authors"] == [] and record["tags"] == []


def test_generic_record() -> None:
    record = generic()
    assert set(record) == KEYS
    assert record["title"] == "Unrest in Kazakhstan: what we know"
    assert record["description"].startswith("Protests over fuel prices")
    assert record["authors"] == ["Jane Doe", "John Smith"]
    assert record["published"] == "2022-01-10T14:30:00Z"
    assert record["published_raw"] == "2022-01-10T09:30:00-05:00"
    assert record["modified"] == "2022-01-11T08:00:00Z"
    assert record["language"] == "en"
    assert record["section"] == "World"
    assert record["tags"] == ["Kazakhstan", "CSTO"]
    assert record["image"] == "https://example.com/img/almaty.jpg"
    assert record["canonical_url"] == "https://example.com/world/2022/01/10/kazakhstan-unrest"
    assert record["based_on"] == "Reuters"
    assert record["page_type"] == "article"
    assert record["extractor"] == "trafilatura+jsonld"


def test_body_is_clean_paragraphs() -> None:
    body = generic()["body"]
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("ALMATY (Reuters) - Protests")  # title not repeated
    assert len(paragraphs) == 4
    assert "Read more" not in body and "Most read" not in body and "Copyright" not in body
    assert all(p.strip() == p and "\n" not in p for p in paragraphs)


def test_structured_body_wins_when_generic_text_is_short() -> None:
    structured = "First paragraph of the story.\nSecond paragraph of the story. " * 10
    assert choose_body([Block("Share this")], structured)[0] == "jsonld"
    assert choose_body([Block("A long enough paragraph. " * 40)], structured)[0] == "trafilatura"


def test_jsonld_article_body_used_when_page_text_is_missing() -> None:
    text = "The alliance sent troops within a day of the request for help. " * 10
    html = (
        '<html><head><script type="application/ld+json">'
        f'{{"@type": "NewsArticle", "headline": "Troops sent", "articleBody": "{text}"}}'
        "</script></head><body><div id='app'></div></body></html>"
    )
    record = extract_article(html, "https://example.com/news/troops-sent")
    assert record["body"] == text.strip()
    assert record["title"] == "Troops sent"


def test_agency_byline_becomes_based_on_and_entities_are_decoded() -> None:
    html = (
        "<html><head>"
        '<meta property="og:title" content="Chelsea activate &amp;#163;71.6m clause&amp;nbsp;now">'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"author": {"@type": "Person", "name": "The Associated Press"}}</script>'
        "</head><body><p>Text.</p></body></html>"
    )
    record = extract_article(html, "https://example.com/sport/chelsea")
    assert record["title"] == "Chelsea activate £71.6m clause now"
    assert record["authors"] == []
    assert record["based_on"] == "AP"


def test_bylines_in_page_order_when_no_metadata_names_the_author() -> None:
    body = " ".join(["The collective security treaty members met in Moscow."] * 12)
    html = (
        "<html><head><title>Summit</title></head><body>"
        '<div class="article-byline">Not A Byline</div>'  # "byline" only inside another class
        '<p class="meta byline">By Anna Petrova</p>'
        '<span itemprop="author">Ivan Sidorov</span>'
        '<a rel="author" href="/authors/li">Li Wei</a>'
        f"<article><p>{body}</p></article></body></html>"
    )
    record = extract_article(html, "https://example.com/news/2022/01/10/summit")
    assert record["authors"] == ["Anna Petrova", "Ivan Sidorov", "Li Wei"]
