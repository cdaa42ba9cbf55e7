from pathlib import Path

from crawler.extraction import extract_article

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"


def extract(name: str, url: str) -> dict:
    return extract_article((FIXTURES / name).read_bytes(), url)


def test_article_page() -> None:
    assert (
        extract("generic_article.html", "https://example.com/world/kazakhstan-unrest")["page_type"]
        == "article"
    )


def test_section_listing_by_links() -> None:
    assert extract("listing.html", "https://example.com/world")["page_type"] == "listing"


def test_tag_and_home_urls_are_listings() -> None:
    assert extract("listing.html", "https://example.com/")["page_type"] == "listing"
    assert extract("listing.html", "https://example.com/tag/csto")["page_type"] == "listing"


def test_script_rendered_article_is_article_with_empty_body() -> None:
    record = extract("script_rendered.html", "https://example.com/news/summit-ends")
    assert record["page_type"] == "article"
    assert record["body"] == ""
    assert record["published"] == "2022-01-10T12:00:00Z"


def test_short_unmarked_page_is_other() -> None:
    html = "<html><head><title>Contact us</title></head><body><p>Write to us.</p></body></html>"
    assert extract_article(html, "https://example.com/contact")["page_type"] == "other"
