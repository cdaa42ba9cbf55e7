"""Article extraction: one record per page from site rules, structured data and trafilatura.

``extract_article(html, url, *, content_type=None, fetched_at=None)`` returns a dict with the keys
title, description, body (paragraphs separated by one blank line), authors, published and modified
("YYYY-MM-DDTHH:MM:SSZ" in UTC), published_raw, language (ISO 639-1), section, tags, image,
canonical_url, based_on (credited agency), page_type ("article" | "listing" | "other") and
extractor (which path produced the body, e.g. "trafilatura+jsonld", "rule:tass").
"""

from crawler.extraction.article import extract_article
from crawler.extraction.dates import date_from_url, format_date, parse_date
from crawler.extraction.encoding import decode_html
from crawler.extraction.language import detect_language

__all__ = [
    "date_from_url",
    "decode_html",
    "detect_language",
    "extract_article",
    "format_date",
    "parse_date",
]
