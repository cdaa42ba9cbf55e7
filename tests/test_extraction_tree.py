"""parse_html: the same tree as trafilatura.load_html, cheaper, and whole documents always."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from crawler.extraction.encoding import decode_html
from crawler.extraction.tree import parse_html

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(FIXTURES.rglob("*.html"))


def _xml(tree: etree._Element) -> bytes:
    return etree.tostring(tree, encoding="utf-8")


def test_there_are_pages_to_compare() -> None:
    assert len(PAGES) >= 10


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_tree_is_trafilaturas(page: Path) -> None:
    text = decode_html(page.read_bytes())
    ours, theirs = parse_html(text), load_html(text)
    assert ours is not None and theirs is not None
    assert _xml(ours) == _xml(theirs)


def test_elements_have_the_lxml_html_api() -> None:
    tree = parse_html("<html><body><form><p>Hello <b>world</b></p><input name=q></form></body>")
    assert tree is not None
    form = tree.find(".//form")
    assert isinstance(form, HtmlElement)
    assert form.text_content() == "Hello world"
    form.find("p").drop_tag()
    assert (
        _xml(tree) == b'<html><body><form>Hello <b>world</b><input name="q"/></form></body></html>'
    )


def test_characters_xml_forbids_are_removed() -> None:
    tree = parse_html("<html><body><p>a\x0bb\x01c\ufffed\uffffe\tf</p></body></html>")
    assert tree is not None
    paragraph = tree.find(".//p")
    assert paragraph.text == "abcde\tf"
    paragraph.text = paragraph.text + "!"  # lxml would refuse to set a control character


def test_xhtml_doctype_is_dropped_before_parsing() -> None:
    page = (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        "<html><head><title>T</title></head><body><p>Body</p></body></html>"
    )
    tree = parse_html(page)
    assert tree is not None
    assert tree.findtext(".//title") == "T"
    assert tree.findtext(".//p") == "Body"


def test_self_closed_html_tag_is_repaired() -> None:
    tree = parse_html('<html lang="en"/>\n<body><p>text</p></body>')
    assert tree is not None
    assert tree.get("lang") == "en"
    assert tree.findtext(".//p") == "text"


def test_xml_prolog_still_gives_the_whole_document() -> None:
    page = '<?xml version="1.0" encoding="utf-8"?><html><head><title>T</title></head><body><p>x</p>'
    tree = parse_html(page)
    assert tree is not None and tree.tag == "html"
    assert tree.findtext(".//title") == "T"


@pytest.mark.parametrize("text", ["", "   \n", "\x00\x01\x02", "plain words", "<p>a fragment</p>"])
def test_not_a_page(text: str) -> None:
    assert parse_html(text) is None
