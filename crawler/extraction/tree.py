"""``parse_html``: one page's text -> the lxml tree every extractor and the link finder read.

The tree is what ``trafilatura.load_html`` gives (lxml.html elements, comments and processing
instructions dropped, the same repairs of faulty pages) at about two thirds of its cost: control
characters are deleted from the UTF-8 bytes instead of by a regular expression over the text, and
elements get their lxml.html class without a Python call per element (lxml.html's default
look-up calls back into Python for every element touched, to give forms and inputs their own
classes, which no extractor here uses).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction

# Characters XML forbids: lxml refuses them in any text set later (trafilatura copies texts).
_NOT_XML = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NOT_XML_CHARACTERS = ("\ufffe", "\uffff")
# libxml2 drops the whole page after some doctypes with a "/": trafilatura strips them too.
_BAD_DOCTYPE = re.compile(rb"< ?! ?DOCTYPE[^>\n]*/[^<>\n]*>", re.IGNORECASE)
_SELF_CLOSED_HTML = re.compile(rb"(<html.*?)\s*/>", re.IGNORECASE)
_HEAD_LINES = 4  # a self-closed <html/> is looked for in the first lines
_HEAD_BYTES = 4096


def _parser() -> etree.HTMLParser:
    parser = etree.HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        no_network=True,
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


_PARSER = _parser()


def _repaired(text: str) -> bytes:
    """``text`` as UTF-8 without XML-forbidden characters, a doctype libxml2 chokes on, or
    ``<html/>``."""
    for character in _NOT_XML_CHARACTERS:  # instant unless the text has characters this high
        if character in text:
            text = text.replace(character, "")
    data = text.encode("utf-8", "replace").translate(None, _NOT_XML)
    if found := _BAD_DOCTYPE.match(data):
        data = data[found.end() :]
    for line in data[:_HEAD_BYTES].splitlines()[:_HEAD_LINES]:
        if b"<html" in line and line.endswith(b"/>"):
            return _SELF_CLOSED_HTML.sub(rb"\1>", data, count=1)
    return data


def parse_html(text: str) -> HtmlElement | None:
    """The document tree of ``text``, or None when it is empty or not HTML at all (a page whose
    start does not mention html and that parses to fewer than two elements)."""
    data = _repaired(text)
    if not data.strip():
        return None
    try:
        tree = etree.fromstring(data, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if tree is None or (b"html" not in data[:50].lower() and len(tree) < 2):
        return None
    return tree
