"""The generic body extractor: trafilatura's main-text detection, as blocks with layout hints."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt

_SPACES = re.compile(r"\s+")
_BLOCK_TAGS = ("p", "head", "item", "quote", "cell")


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of body text with what the page's markup said about it."""

    text: str
    tag: str = "p"  # trafilatura's element: p, head, item, quote, cell...
    link_density: float = 0.0  # share of the text that sits inside links


def _flat(element: etree._Element) -> str:
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def trafilatura_blocks(tree: etree._Element, url: str) -> list[Block]:
    """Paragraphs of the main text trafilatura finds in ``tree`` (left untouched), or []."""
    options = Extractor(output_format="python", comments=False, links=True, url=url, source=url)
    document = bare_extraction(tree, options=options)
    if document is None or document.body is None:
        return []
    hints: dict[str, tuple[str, float]] = {}
    for element in document.body.iter(*_BLOCK_TAGS):
        if text := _flat(element):
            linked = sum(len(_flat(ref)) for ref in element.iter("ref"))
            hints.setdefault(text, (element.tag, min(1.0, linked / len(text))))
    etree.strip_tags(document.body, "ref")
    blocks = []
    for line in xmltotxt(document.body, False).split("\n"):
        if text := line.strip():
            tag, density = hints.get(_SPACES.sub(" ", text.removeprefix("- ")), ("p", 0.0))
            blocks.append(Block(text, tag, density))
    return blocks
