"""``extract_article``: one record per page from site rules, structured data and trafilatura."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.extraction import dates
from crawler.extraction.authors import clean_authors
from crawler.extraction.body import choose_body, clean_blocks, linked_share
from crawler.extraction.credits import agency_name, credited_agency, is_agency
from crawler.extraction.encoding import decode_html
from crawler.extraction.generic import Block, trafilatura_blocks
from crawler.extraction.language import declared_language, detect_language
from crawler.extraction.pagetype import classify_page
from crawler.extraction.rules import SiteRule, rule_for
from crawler.extraction.structured import Structured, read_structured, strings_of, text_of
from crawler.extraction.tree import parse_html

_SPACES = re.compile(r"\s+")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")
_HAS_DIGIT = re.compile(r"\d")
_HTML_LANG = etree.XPath("/html/@lang | /html/@xml:lang")
_TITLE = etree.XPath("//head/title//text()")
_H1 = etree.XPath("//h1")
_TIMES = etree.XPath(
    '//time[@itemprop="datePublished" or @pubdate][@datetime] | '
    '//*[@itemprop="datePublished"][@content or @datetime]'
)
_ANY_TIME = etree.XPath("//body//time[@datetime]")
_DATE_NODES = etree.XPath(
    '//body//*[contains(@class, "date") or contains(@class, "time") or contains(@class, "publish")]'
    "[not(self::script or self::style)]"
)
_BODY_TEXT = etree.XPath("//body//text()[not(parent::script or parent::style)]")

_PUBLISHED_META = (
    "article:published_time", "og:published_time", "article:published", "datepublished",
    "pubdate", "publishdate", "publish-date", "publish_date", "dc.date.issued", "dc.date",
    "dcterms.created", "dcterms.date", "sailthru.date", "parsely-pub-date", "article.published",
    "date", "og:article:published_time", "cxenseparse:recs:publishtime",
)  # fmt: skip
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "last-modified", "article.updated",
)  # fmt: skip
_AUTHOR_META = ("author", "article:author", "sailthru.author", "parsely-author", "dc.creator")
_DESCRIPTION_META = ("og:description", "description", "twitter:description")
_LANGUAGE_META = ("content-language", "og:locale", "dc.language", "language")
_JSONLD_DATES = ("datePublished", "dateCreated", "uploadDate")
_MAX_TAGS = 30
_MAX_DATE_NODES = 20
_MAX_BYLINES = 5
_MAX_SUFFIX_LABEL = 3  # host labels this short are taken for (parts of) public suffixes


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _text(element: etree._Element) -> str:
    return _clean(" ".join(element.itertext()))


def _bylines(tree: etree._Element) -> Iterator[etree._Element]:
    """Elements marked as the author (rel, itemprop) or as a byline (class), in document order;
    one walk in Python, about twice as fast as libxml2's XPath attribute tests."""
    for element in tree.iter(etree.Element):
        names = element.get("class") or ""
        if (
            element.get("rel") == "author"
            or element.get("itemprop") == "author"
            or ("byline" in names and "byline" in names.split())
        ):
            yield element


@dataclass(slots=True)
class _Page:
    """What every field extractor needs to know about the page."""

    url: str
    tree: etree._Element
    data: Structured
    obj: dict[str, Any] | None  # the JSON-LD article object
    rule: SiteRule | None
    now: datetime
    declared: str | None  # the language the page declares, as written

    @property
    def tz(self) -> str | None:
        return self.rule.timezone if self.rule else None

    def jsonld(self, key: str) -> str | None:
        return text_of(self.obj.get(key)) if self.obj else None

    def rule_values(self, key: str) -> list[str]:
        return self.rule.first(getattr(self.rule, key), self.tree) if self.rule else []

    def parse_date(self, text: str | None) -> datetime | None:
        return dates.parse_date(
            text, self.now, tz=self.tz, language=declared_language(self.declared)
        )


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


def _title_candidates(page: _Page) -> list[str]:
    """Every title the page gives, most trusted first."""
    head_title = _clean("".join(_TITLE(page.tree)))
    h1 = next((_text(h) for h in _H1(page.tree)[:1]), "")
    candidates = [
        *page.rule_values("title")[:1],
        page.jsonld("headline"),
        page.data.first("og:title"),
        page.data.first("twitter:title"),
        h1 if h1 and h1 in head_title else "",  # <title> without its " | Site" part
        head_title,
        h1,
    ]
    return [c for c in map(_clean, candidates) if c]


def _descriptions(page: _Page) -> list[str]:
    """Every summary the page gives, most trusted first."""
    meta = [page.data.first(key) for key in _DESCRIPTION_META]
    values = [*meta, page.jsonld("description")]
    return [_clean(unescape(d)) for d in values if d and d.strip()]


def _title(page: _Page, candidates: list[str], site_names: list[str]) -> str:
    title = _clean(unescape(candidates[0])) if candidates else ""
    if page.rule and page.rule.title_suffix:
        title = page.rule.title_suffix.sub("", title)
    return _strip_site_name(title, site_names)


def _date_strings(page: _Page) -> Iterator[str | None]:
    """Candidate publication date strings, most trusted first, looked up only as needed."""
    if day := page.rule_values("date")[:1]:
        clock = page.rule_values("time")[:1]
        yield " ".join(day + clock) if clock and clock[0] not in day[0] else day[0]
    yield from (page.jsonld(key) for key in _JSONLD_DATES)
    yield from (page.data.first(key) for key in _PUBLISHED_META)
    yield from (t.get("datetime") or t.get("content") for t in _TIMES(page.tree))
    yield from (t.get("datetime") for t in _ANY_TIME(page.tree)[:1])


def _published(page: _Page) -> tuple[datetime | None, str | None]:
    """The publication date and its source string, from the most trusted source that has one."""
    for value in _date_strings(page):
        if value and (parsed := page.parse_date(value)):
            return parsed, value
    if found := dates.url_date(page.url, page.now):
        return found
    for node in _DATE_NODES(page.tree)[:_MAX_DATE_NODES]:
        text = _text(node)
        if 6 <= len(text) <= 60 and _HAS_DIGIT.search(text) and (parsed := page.parse_date(text)):
            return parsed, text
    return None, None


def _modified(page: _Page) -> datetime | None:
    raw = [page.jsonld("dateModified"), *(page.data.first(key) for key in _MODIFIED_META)]
    return next((p for v in raw if v and (p := page.parse_date(v))), None)


def _author_strings(page: _Page) -> list[str]:
    """Author strings as the page gives them, from the most trusted source that has any."""
    raw = page.rule_values("authors")
    if page.obj:
        people = page.obj.get("author") or page.obj.get("creator") or []
        for person in people if isinstance(people, list) else [people]:
            if isinstance(person, dict) and "Organization" in str(person.get("@type", "")):
                continue
            raw += strings_of(person)
    if not raw:
        raw = [v for key in _AUTHOR_META for v in page.data.meta.get(key, []) if "://" not in v]
    if not raw:
        raw = [_text(node) for node in islice(_bylines(page.tree), _MAX_BYLINES)]
    return [_clean(unescape(r)) for r in raw]


def _tags(page: _Page) -> list[str]:
    raw = list(page.data.meta.get("article:tag", []))
    keywords = page.obj.get("keywords") if page.obj else None
    if isinstance(keywords, list):
        raw += strings_of(keywords)
    elif isinstance(keywords, str):
        raw += keywords.split(",")
    if not raw:
        for key in ("news_keywords", "keywords"):
            raw += [k for value in page.data.meta.get(key, []) for k in value.split(",")]
    tags: dict[str, str] = {}
    for tag in map(_clean, raw):
        if tag and len(tag) <= 60:
            tags.setdefault(tag.casefold(), tag)
    return list(tags.values())[:_MAX_TAGS]


def _absolute(value: str | None, url: str) -> str | None:
    value = _clean(value)
    return urljoin(url, value) if value and not value.startswith("data:") else None


def _declared(tree: etree._Element, data: Structured, obj: dict[str, Any] | None) -> str | None:
    values = [*_HTML_LANG(tree), text_of(obj.get("inLanguage")) if obj else None]
    values += [data.first(key) for key in _LANGUAGE_META]
    return next((v for v in values if v and v.strip()), None)


def _body(page: _Page, titles: list[str], descriptions: list[str]) -> tuple[str, str, float]:
    """(source, body, linked share): the site rule's paragraphs if any, else the best generic
    candidate; the share of the candidate's text that sat in links tells listings apart."""
    source, blocks = "", []
    if page.rule and (paragraphs := page.rule_values("body")):
        source = f"rule:{page.rule.name}"
        lead = page.rule_values("lead")[:1]
        if lead and paragraphs[0] != lead[0]:
            paragraphs = lead + paragraphs
        blocks = [Block(p) for p in paragraphs]
    if not blocks:
        source, blocks = choose_body(
            trafilatura_blocks(page.tree, page.url), page.jsonld("articleBody")
        )
    paragraphs = clean_blocks(
        blocks,
        titles=titles,
        descriptions=descriptions if not source.startswith("rule:") else (),
        dateline=page.rule.dateline if page.rule else None,
        drop_lines=page.rule.drop_lines if page.rule else (),
    )
    return source, "\n\n".join(paragraphs), linked_share(blocks)


def _based_on(page: _Page, body: str, authors: list[str]) -> str | None:
    """The agency the page credits: site rule, then a credit line, an agency byline, a dateline."""
    rule = page.rule
    credit = rule.credit.search(" ".join(_BODY_TEXT(page.tree))) if rule and rule.credit else None
    if credit:
        return agency_name(credit.group(1))
    if rule and rule.based_on:
        return rule.based_on
    byline = next((agency_name(a) for a in authors if is_agency(a)), None)
    return byline or credited_agency(body)


def _site_names(
    url: str, data: Structured, obj: dict[str, Any] | None, rule: SiteRule | None
) -> list[str]:
    """Names the publication goes by: og:site_name, JSON-LD publisher, rule name, host label."""
    labels = (urlsplit(url).hostname or "").removeprefix("www.").split(".")
    host = next((label for label in labels if len(label) > _MAX_SUFFIX_LABEL), None)
    publisher = text_of(obj.get("publisher")) if obj else None
    names = (data.first("og:site_name"), publisher, rule.name if rule else None, host)
    return [unescape(n) for n in names if n]


def _empty_record(extractor: str) -> dict[str, Any]:
    return {
        "title": "", "description": "", "body": "", "authors": [], "published": None,
        "published_raw": None, "modified": None, "language": None, "section": None, "tags": [],
        "image": None, "canonical_url": None, "based_on": None, "page_type": "other",
        "extractor": extractor,
    }  # fmt: skip


def extract_article(
    html: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    fetched_at: datetime | None = None,
) -> dict[str, Any]:
    """Extract the article record of one page (see the package docstring for the keys)."""
    now = (fetched_at or datetime.now(UTC)).astimezone(UTC)
    tree = parse_html(decode_html(html, content_type))
    if tree is None:
        return _empty_record("none")
    data = read_structured(tree)
    rule = rule_for(url)
    for selector in rule.drop if rule else ():
        for element in selector(tree):
            element.drop_tree()
    obj = data.article(rule.jsonld_block if rule else "first")
    page = _Page(url, tree, data, obj, rule, now, _declared(tree, data, obj))
    site_names = _site_names(url, data, obj, rule)
    titles = _title_candidates(page)
    title = _title(page, titles, site_names)
    descriptions = _descriptions(page)
    source, body, linked = _body(page, [title, *titles], descriptions)
    published, published_raw = _published(page)
    found = dates.url_date(url, now) if rule and rule.date_from_url else None
    if found and (published is None or published.date() != found[0].date()):
        published, published_raw = found
    description = next(iter(descriptions), None) or _clean(
        next(iter(page.rule_values("lead")), None)
    )
    author_strings = _author_strings(page)
    record = _empty_record(source + ("+jsonld" if obj and source != "jsonld" else ""))
    record.update(
        title=title,
        description=description,
        body=body,
        authors=clean_authors(author_strings, site_names),
        published=dates.format_date(published),
        published_raw=published_raw,
        modified=dates.format_date(_modified(page)),
        language=detect_language(body or f"{title}. {description}", page.declared),
        section=_clean(page.jsonld("articleSection") or data.first("article:section")) or None,
        tags=_tags(page),
        image=_absolute(
            data.first("og:image", "og:image:url", "twitter:image") or page.jsonld("image"), url
        ),
        canonical_url=_absolute(data.links.get("canonical") or data.first("og:url"), url),
        based_on=_based_on(page, body, author_strings),
        page_type=classify_page(url, tree, data, body, linked),
    )
    return record
