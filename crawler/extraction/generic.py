"""The generic body extractor: trafilatura's main-text detection, rendered as plain paragraphs."""

from __future__ import annotations

from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import Extractor


def trafilatura_paragraphs(tree: etree._Element, url: str) -> list[str]:
    """Paragraphs of the main text trafilatura finds in ``tree`` (left untouched), or []."""
    options = Extractor(output_format="python", comments=False, url=url, source=url)
    document = bare_extraction(tree, options=options)
    if document is None or not document.text:
        return []
    return [line.strip() for line in document.text.split("\n") if line.strip()]
