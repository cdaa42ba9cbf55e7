"""``extract_article``: one record per page from site rules, structured data and trafilatura."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from trafilatura.utils import load_html

from crawler.extraction import dates
from crawler.extraction.authors import clean_authors
from crawler.extraction.body import choose_body, clean_paragraphs
from crawler.extraction.credits import agency_name, credited_agency
from crawler.extraction.encoding import decode_html
from crawler.extraction.generic import trafilatura_paragraphs
from crawler.extraction.language import detect_language
from crawler.extraction.pagetype import classify_page
from crawler.extraction.rules import SiteRule, rule_for
from crawler.extraction.structured import Structured, read_structured, strings_of, text_of

_SPACES = re.compile(r"\s+")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")
_HTML_LANG = etree.XPath("/html/@lang | /html/@xml:lang")
_TITLE = etree.XPath("//head/title//text()")
_H1 = etree.XPath("//h1")
_TIMES = etree.XPath(
    '//time[@itemprop="datePublished" or @pubdate][@datetime] | '
    '//*[@itemprop="datePublished"][@content or @datetime]'
)
_ANY_TIME = etree.XPath("//body//time[@datetime]")
_BYLINES = etree.XPath(
    '//*[@rel="author"] | //*[@itemprop="author"] | '
    '//*[contains(concat(" ", normalize-space(@class), " "), " byline ")]'
)
_DATE_NODES = etree.XPath(
    '//body//*[contains(@class, "date") or contains(@class, "time") or contains(@class, "publish")]'
    "[not(self::script or self::style)]"
)

_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "date",
    "og:article:published_time",
    "cxenseparse:recs:publishtime",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
    "article.updated",
)
_AUTHOR_META = ("author", "article:author", "sailthru.author", "parsely-author", "dc.creator")
_LANGUAGE_META = ("content-language", "og:locale", "dc.language", "language")
_MAX_TAGS = 30
_MAX_DATE_NODES = 20


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _strip_site_name(title: str, site_names: list[str]) -> str:
    """Remove a trailing or leading " | Site name" from a page title."""
    names = {n.casefold() for n in site_names}
    separators = list(_TITLE_SEPARATORS.finditer(title))
    if not separators or not names:
        return title
    last, first = separators[-1], separators[0]
    if title[last.end() :].casefold() in names:
        return title[: last.start()]
    if title[: first.start()].casefold() in names:
        return title[first.end() :]
    return title


def _title(
    tree: etree._Element,
    data: Structured,
    obj: dict[str, Any] | None,
    rule: SiteRule | None,
    site_names: list[str],
) -> str:
    candidates = []
    if rule:
        candidates += rule.first(rule.title, tree)[:1]
    candidates += [
        text_of(obj.get("headline")) if obj else None,
        data.first("og:title", "twitter:title"),
        "".join(_TITLE(tree)),
    ]
    h1 = [_clean(" ".join(h.itertext())) for h in _H1(tree)[:1]]
    candidates += h1
    title = next((_clean(c) for c in candidates if c and _clean(c)), "")
    if rule and rule.title_suffix:
        title = rule.title_suffix.sub("", title)
    return _strip_site_name(title, site_names)


def _published(
    tree: etree._Element,
    url: str,
    data: Structured,
    obj: dict[str, Any] | None,
    rule: SiteRule | None,
    now: datetime,
) -> tuple[datetime | None, str | None]:
    """The publication date and its source string, from the most trusted source that has one."""
    tz = rule.timezone if rule else None
    raw: list[str | None] = []
    if rule:
        raw += rule.first(rule.date, tree)
    if obj:
        raw += [text_of(obj.get(k)) for k in ("datePublished", "dateCreated", "uploadDate")]
    raw += [data.first(key) for key in _PUBLISHED_META]
    raw += [t.get("datetime") or t.get("content") for t in _TIMES(tree)]
    raw += [t.get("datetime") for t in _ANY_TIME(tree)[:1]]
    for value in raw:
        if value and (parsed := dates.parse_date(value, now, tz=tz)):
            return parsed, value
    if (parsed := dates.date_from_url(url, now)) is not None:
        return parsed, url
    for node in _DATE_NODES(tree)[:_MAX_DATE_NODES]:
        text = _clean(" ".join(node.itertext()))
        if 6 <= len(text) <= 60 and (parsed := dates.parse_date(text, now, tz=tz)):
            return parsed, text
    return None, None


def _modified(
    data: Structured, obj: dict[str, Any] | None, now: datetime, tz: str | None
) -> datetime | None:
    raw = [text_of(obj.get("dateModified")) if obj else None]
    raw += [data.first(key) for key in _MODIFIED_META]
    return next((p for v in raw if v and (p := dates.parse_date(v, now, tz=tz))), None)


def _authors(
    tree: etree._Element,
    data: Structured,
    obj: dict[str, Any] | None,
    rule: SiteRule | None,
    site_names: list[str],
) -> list[str]:
    raw: list[str] = []
    if rule:
        raw += rule.first(rule.authors, tree)
    if obj:
        people = obj.get("author") or obj.get("creator") or []
        for person in people if isinstance(people, list) else [people]:
            if isinstance(person, dict) and "Organization" in str(person.get("@type", "")):
                continue
            raw += strings_of(person)
    if not raw:
        raw += [v for key in _AUTHOR_META for v in data.meta.get(key, []) if "://" not in v]
    if not raw:
        raw += [_clean(" ".join(node.itertext())) for node in _BYLINES(tree)[:5]]
    return clean_authors(raw, site_names)


def _tags(data: Structured, obj: dict[str, Any] | None) -> list[str]:
    raw = list(data.meta.get("article:tag", []))
    if obj:
        raw += strings_of(obj.get("keywords"))
    if not raw:
        raw += data.meta.get("news_keywords", []) + data.meta.get("keywords", [])
    tags: dict[str, str] = {}
    for entry in raw:
        for tag in entry.split(","):
            tag = _clean(tag)
            if tag and len(tag) <= 60:
                tags.setdefault(tag.casefold(), tag)
    return list(tags.values())[:_MAX_TAGS]


def _absolute(value: str | None, url: str) -> str | None:
    value = _clean(value)
    return urljoin(url, value) if value and not value.startswith("data:") else None


def _declared_language(
    tree: etree._Element, data: Structured, obj: dict[str, Any] | None
) -> str | None:
    values = [*(_HTML_LANG(tree)), text_of(obj.get("inLanguage")) if obj else None]
    values += [data.first(key) for key in _LANGUAGE_META]
    return next((v for v in values if v and v.strip()), None)


def _rule_body(tree: etree._Element, rule: SiteRule) -> list[str]:
    paragraphs = rule.first(rule.body, tree)
    lead = rule.first(rule.lead, tree)[:1]
    if lead and (not paragraphs or paragraphs[0] != lead[0]):
        paragraphs = lead + paragraphs
    return paragraphs


def _empty_record(extractor: str) -> dict[str, Any]:
    return {
        "title": "",
        "description": "",
        "body": "",
        "authors": [],
        "published": None,
        "published_raw": None,
        "modified": None,
        "language": None,
        "section": None,
        "tags": [],
        "image": None,
        "canonical_url": None,
        "based_on": None,
        "page_type": "other",
        "extractor": extractor,
    }


def extract_article(
    html: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    fetched_at: datetime | None = None,
) -> dict[str, Any]:
    """Extract the article record of one page (see the package docstring for the keys)."""
    now = (fetched_at or datetime.now(UTC)).astimezone(UTC)
    tree = load_html(decode_html(html, content_type))
    if tree is None:
        return _empty_record("none")
    data = read_structured(tree)
    rule = rule_for(url)
    if rule:
        for selector in rule.drop:
            for element in selector(tree):
                element.drop_tree()
    obj = data.article(rule.jsonld_block if rule else "first")
    publisher = obj.get("publisher") if obj else None
    site_names = [
        n
        for n in (
            data.first("og:site_name", "application-name"),
            text_of(publisher),
            rule.name if rule else None,
        )
        if n
    ]

    body_source, paragraphs = "", []
    if rule and (paragraphs := _rule_body(tree, rule)):
        body_source = f"rule:{rule.name}"
    if not paragraphs:
        body_source, paragraphs = choose_body(
            trafilatura_paragraphs(tree, url), text_of(obj.get("articleBody")) if obj else None
        )
    title = _title(tree, data, obj, rule, site_names)
    paragraphs = clean_paragraphs(
        paragraphs,
        title=title,
        dateline=rule.dateline if rule else None,
        drop_lines=rule.drop_lines if rule else (),
    )
    body = "\n\n".join(paragraphs)

    published, published_raw = _published(tree, url, data, obj, rule, now)
    url_date = dates.date_from_url(url, now) if rule and rule.date_from_url else None
    if url_date and (published is None or published.date() != url_date.date()):
        published, published_raw = url_date, url
    record = _empty_record(body_source + ("+jsonld" if obj and body_source != "jsonld" else ""))
    page_text = " ".join(tree.xpath("//body//text()")) if rule and rule.credit else ""
    credit = rule.credit.search(page_text) if rule and rule.credit else None
    description = _clean(
        data.first("og:description", "description", "twitter:description")
        or (text_of(obj.get("description")) if obj else None)
        or (next(iter(rule.first(rule.lead, tree)), None) if rule else None)
    )
    record.update(
        title=title,
        description=description,
        body=body,
        authors=_authors(tree, data, obj, rule, site_names),
        published=dates.format_date(published),
        published_raw=published_raw,
        modified=dates.format_date(_modified(data, obj, now, rule.timezone if rule else None)),
        language=detect_language(
            body or f"{title}. {description}", _declared_language(tree, data, obj)
        ),
        section=_clean(text_of(obj.get("articleSection")) if obj else None)
        or _clean(data.first("article:section"))
        or None,
        tags=_tags(data, obj),
        image=_absolute(
            data.first("og:image", "og:image:url", "twitter:image")
            or (text_of(obj.get("image")) if obj else None),
            url,
        ),
        canonical_url=_absolute(data.links.get("canonical") or data.first("og:url"), url),
        based_on=(agency_name(credit.group(1)) if credit else None)
        or (rule.based_on if rule else None)
        or credited_agency(body),
        page_type=classify_page(url, tree, data, body, published is not None),
    )
    return record
