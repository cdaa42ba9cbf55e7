from pathlib import Path

from trafilatura.utils import load_html

from crawler.extraction import extract_article
from crawler.extraction.pagetype import classify_page
from crawler.extraction.structured import read_structured

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


def test_mostly_linked_main_text_is_a_listing() -> None:
    tree = load_html("<html><body><p>x</p></body></html>")
    data = read_structured(tree)
    body = "A long enough article body. " * 20
    assert classify_page("https://example.com/news/x", tree, data, body, 0.6) == "listing"
    assert classify_page("https://example.com/news/x", tree, data, body, 0.1) == "article"


def test_article_full_of_links_stays_an_article() -> None:
    tree = load_html('<html><head><meta property="og:type" content="article"></head></html>')
    data = read_structured(tree)
    body = "Deal of the day: a console for less. " * 20
    assert classify_page("https://example.com/deals/x", tree, data, body, 0.6) == "article"


def test_article_urls_under_section_paths() -> None:
    tree = load_html("<html><body><p>x</p></body></html>")
    data = read_structured(tree)
    body = "A long enough article body. " * 20
    url = "https://example.com/section/world/2022/01/10/csto-summit"
    assert classify_page(url, tree, data, body, 0.0) == "article"
    assert classify_page("https://example.com/section/world", tree, data, body, 0.0) == "listing"


def test_list_of_teasers_under_headline_links_is_a_listing() -> None:
    record = extract("teaser_listing.html", "http://en.kremlin.ru/events/president/news")
    assert record["page_type"] == "listing"


def test_title_drops_site_name_via_h1() -> None:
    html = (
        "<html><head><title>Talks with President of Belarus • The Citadel</title></head>"
        "<body><h1>Talks with President of Belarus</h1><p>Text.</p></body></html>"
    )
    assert (
        extract_article(html, "https://example.com/a")["title"] == "Talks with President of Belarus"
    )


def test_unmarked_article_with_an_inline_read_also_link_stays_an_article() -> None:
    paragraphs = [
        f"<p>Paragraph {n} of the report on the CSTO summit held by video link, with enough words"
        " to read as running text rather than a teaser under a headline.</p>"
        for n in range(6)
    ]
    read_also = (
        "<p>Read also: <a href='/world/1'>CSTO peacekeepers begin their withdrawal from"
        " Kazakhstan</a></p>"
    )
    body = "".join(paragraphs[:3]) + read_also + "".join(paragraphs[3:])
    html = (
        "<html><head><title>Leaders meet</title></head><body><main><h1>Leaders meet</h1>"
        f"<div class='text'>{body}</div></main></body></html>"
    )
    record = extract_article(html, "https://agency.example/politics/1385617")
    assert record["page_type"] == "article"
