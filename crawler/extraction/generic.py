"""The generic body extractor: trafilatura's main-text detection, as blocks with layout hints."""

from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass

from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt

_SPACES = re.compile(r"\s+")
_BLOCK_TAGS = ("p", "head", "item", "quote", "cell")
_IMAGE_ALTS = etree.XPath("//img/@alt")
# A body split into sibling chunks (between ads) sits in containers named like this...
_BODY_CLASS = re.compile(r"body|article|content|story|chunk|text|post|entry", re.IGNORECASE)
# ...and not like this (lists of other stories share one class too).
_OTHER_CLASS = re.compile(
    r"related|recommend|promo|teaser|sidebar|footer|comment|card|list|feed|more", re.IGNORECASE
)
_CHUNK_DEPTH = 4
_MIN_CHUNK_PARAGRAPHS = 2
_LONG_PARAGRAPH = 80
_CHUNK_LINK_DENSITY = 0.5
# Elements trafilatura always discards: dropping them first makes its copy and passes cheaper.
_NEVER_TEXT = ("script", "style", "noscript", "svg", "template")
# trafilatura's options, read from its configuration once: each page gets a copy with its URL.
_OPTIONS = Extractor(output_format="txt", comments=False, links=True)


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of body text with what the page's markup said about it."""

    text: str
    tag: str = "p"  # trafilatura's element: p, head, item, quote, cell...
    link_density: float = 0.0  # share of the text that sits inside links


def _flat(element: etree._Element) -> str:
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def restore_link_spaces(body: etree._Element) -> None:
    """Put back the space trafilatura sometimes trims after a link ("MacBook Prowas released")."""
    for ref in body.iter("ref"):
        if ref.tail and ref.tail[0].isalnum():
            ref.tail = f" {ref.tail}"


def trafilatura_blocks(tree: etree._Element, url: str) -> list[Block]:
    """Paragraphs of the main text trafilatura finds in ``tree``, or [].

    Scripts, styles and other never-text elements are removed from ``tree`` first; lines that
    repeat an image's alt text (captions) are left out.
    """
    etree.strip_elements(tree, *_NEVER_TEXT, with_tail=False)
    captions = {c for alt in _IMAGE_ALTS(tree) if len((c := " ".join(alt.split())).split()) > 1}
    options = copy(_OPTIONS)
    options.url = options.source = url
    document = bare_extraction(tree, options=options)
    if document is None or document.body is None:
        return []
    restore_link_spaces(document.body)
    hints: dict[str, tuple[str, float]] = {}
    for ref in document.body.iter("ref"):  # a line that is a link, or a block inside one
        if text := _flat(ref):
            hints.setdefault(text, ("p", 1.0))
        for element in ref.iter(*_BLOCK_TAGS):
            if text := _flat(element):
                hints.setdefault(text, (element.tag, 1.0))
    for element in document.body.iter(*_BLOCK_TAGS):
        refs = list(element.iter("ref"))
        if (refs or element.tag == "head") and (text := _flat(element)):
            linked = sum(len(_flat(ref)) for ref in refs)
            hints.setdefault(text, (element.tag, min(1.0, linked / len(text))))
    etree.strip_tags(document.body, "ref")
    blocks = []
    for line in xmltotxt(document.body, False).split("\n"):
        if text := line.strip():
            if text in captions:  # an image caption repeating the image's alt text
                continue
            tag, density = hints.get(_SPACES.sub(" ", text.removeprefix("- ")), ("p", 0.0))
            blocks.append(Block(text, tag, density))
    return add_missing_chunks(tree, blocks)


def _link_density(element: etree._Element, text: str) -> float:
    return sum(len(_flat(a)) for a in element.iter("a")) / len(text)


def _sibling_chunks(start: etree._Element) -> tuple[etree._Element, list[etree._Element]] | None:
    """The ancestor of ``start`` that has body-like siblings of the same class, and all of
    them (itself included) in document order."""
    element = start.getparent()
    for _ in range(_CHUNK_DEPTH):
        parent = element.getparent() if element is not None else None
        if parent is None:
            return None
        name = element.get("class")
        classes = f"{parent.get('class') or ''} {name}"
        if name and _BODY_CLASS.search(classes) and not _OTHER_CLASS.search(classes):
            same = [c for c in parent if c.tag == element.tag and c.get("class") == name]
            if len(same) > 1:
                return element, same
        element = parent
    return None


def _chunk_blocks(chunks: list[etree._Element], known: set[str]) -> list[Block]:
    """Paragraphs of ``chunks`` that are not already ``known`` and are not link lists."""
    found = []
    for chunk in chunks:
        for paragraph in chunk.iter("p"):
            text = _flat(paragraph)
            if text and text not in known and _link_density(paragraph, text) < _CHUNK_LINK_DENSITY:
                found.append(Block(text))
    return found


def add_missing_chunks(tree: etree._Element, blocks: list[Block]) -> list[Block]:
    """Add the paragraphs of sibling body chunks that trafilatura left out (bodies split by ads)."""
    texts = {b.text for b in blocks}
    first = next(
        (p for p in tree.iter("p") if len(t := _flat(p)) >= _LONG_PARAGRAPH // 2 and t in texts),
        None,
    )
    found = _sibling_chunks(first) if first is not None else None
    if found is None:
        return blocks
    chunk, chunks = found
    position = chunks.index(chunk)
    before = _chunk_blocks(chunks[:position], texts)
    after = _chunk_blocks(chunks[position + 1 :], texts)
    if sum(len(b.text) >= _LONG_PARAGRAPH for b in before + after) < _MIN_CHUNK_PARAGRAPHS:
        return blocks
    own = {_flat(p) for p in chunk.iter("p")}
    inside = [i for i, b in enumerate(blocks) if b.text in own]
    start, end = (inside[0], inside[-1] + 1) if inside else (0, len(blocks))
    return [*blocks[:start], *before, *blocks[start:end], *after, *blocks[end:]]
