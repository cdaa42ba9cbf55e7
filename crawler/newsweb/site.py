"""Base class of a local news site: URL routing, listings, search, robots.txt and responses."""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.robotparser import RobotFileParser

from crawler.newsweb.content import Article, Corpus
from crawler.newsweb.markup import h, pager

Query = dict[str, str]
Handler = Callable[[re.Match[str], Query], "Response | None"]


@dataclass(frozen=True)
class Response:
    """What the server sends back for one request."""

    status: int
    content_type: str
    body: bytes


def slugify(text: str) -> str:
    """Lower-case ASCII slug of a tag name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Site(ABC):
    """One news site: subclasses set the class attributes and supply templates and URL scheme."""

    key: ClassVar[str]
    name: ClassVar[str]
    language: ClassVar[str] = "en"
    encoding: ClassVar[str] = "utf-8"
    page_size: ClassVar[int] = 6
    disallow: ClassVar[tuple[str, ...]] = ()
    robots_sitemap: ClassVar[bool] = False

    def __init__(self, corpus: Corpus, link: Callable[[Article], str]) -> None:
        """``link`` maps any article of the web (any site) to its canonical URL."""
        self.corpus = corpus
        self.link = link
        self.base_url = ""
        self.refresh()
        self._routes = [(re.compile(p), f) for p, f in self.routes()]

    def refresh(self) -> None:
        """Re-read which of the site's articles are published."""
        self.articles = self.corpus.for_site(self.key)
        self._by_path = {self.article_path(a): a for a in self.articles}

    # -- URL scheme and entry points ---------------------------------------------------------

    @abstractmethod
    def article_path(self, article: Article) -> str:
        """Path of an article's canonical URL."""

    @abstractmethod
    def routes(self) -> list[tuple[str, Handler]]:
        """(path regex, handler) pairs; a handler returning None means 404."""

    def feeds(self) -> list[str]:
        """Feed paths announced in the sources file."""
        return []

    def sitemaps(self) -> list[str]:
        """Sitemap paths announced in the sources file."""
        return []

    def search_path(self) -> str:
        """Search URL path with a ``{query}`` placeholder, or empty."""
        return ""

    def listings(self) -> list[str]:
        """Section listing paths announced in the sources file."""
        return []

    def url(self, path: str) -> str:
        """Absolute URL on this site."""
        return self.base_url.rstrip("/") + path

    def article_url(self, article: Article) -> str:
        return self.url(self.article_path(article))

    def robots_txt(self) -> str:
        lines = ["User-agent: *", *(f"Disallow: {p}" for p in self.disallow), "Allow: /", ""]
        if self.robots_sitemap:
            lines += [f"Sitemap: {self.url(p)}" for p in self.sitemaps()]
        return "\n".join(lines) + "\n"

    def disallowed(self, article: Article) -> bool:
        """Whether robots.txt forbids the article."""
        parser = RobotFileParser()
        parser.parse(self.robots_txt().splitlines())
        return not parser.can_fetch("*", self.article_url(article))

    # -- data helpers ------------------------------------------------------------------------

    def sections(self) -> list[str]:
        """Section names in order of first appearance (newest first)."""
        return list(dict.fromkeys(a.section for a in self.articles if a.section))

    def in_section(self, section: str) -> list[Article]:
        return [a for a in self.articles if a.section == section]

    def tagged(self, slug: str) -> tuple[str, list[Article]]:
        """Tag name and the articles carrying it."""
        found = [a for a in self.articles if slug in {slugify(t) for t in a.tags}]
        name = next((t for a in found for t in a.tags if slugify(t) == slug), "")
        return name, found

    def search(self, query: str) -> list[Article]:
        """Articles whose title, lead or body contains every word of ``query`` (any case)."""
        terms = query.casefold().split()
        if not terms:
            return []
        return [a for a in self.articles if all(t in a.text.casefold() for t in terms)]

    def page_of(self, items: list[Article], page: int) -> tuple[list[Article], int] | None:
        """The page's slice and the page count, or None when the page does not exist."""
        pages = max(1, math.ceil(len(items) / self.page_size))
        if not 1 <= page <= pages:
            return None
        start = (page - 1) * self.page_size
        return items[start : start + self.page_size], pages

    def related_of(self, article: Article) -> list[tuple[Article, str]]:
        """Related-box entries: (article, canonical URL)."""
        found = [self.corpus.resolve(article.site, ref) for ref in article.related_links]
        return [(a, self.link(a)) for a in found]

    @staticmethod
    def tracked(url: str, source: str, medium: str, fragment: str = "") -> str:
        """``url`` with UTM tracking parameters (and an optional fragment)."""
        sep = "&" if "?" in url else "?"
        tail = f"#{fragment}" if fragment else ""
        return f"{url}{sep}{urlencode({'utm_source': source, 'utm_medium': medium})}{tail}"

    # -- responses ---------------------------------------------------------------------------

    def html(self, page: str, status: int = 200) -> Response:
        return Response(
            status,
            f"text/html; charset={self.encoding}",
            page.encode(self.encoding, errors="xmlcharrefreplace"),
        )

    def not_found(self) -> Response:
        main = (
            '<div class="error-404"><h1>Page not found</h1><p>The page you requested does not '
            f'exist or has been moved. <a href="/">Go to the home page of {h(self.name)}</a>.</p>'
            "</div>"
        )
        return self.html(self.layout("Page not found", main), 404)

    def handle(self, target: str) -> Response:
        """Serve a request target (path and query string)."""
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/robots.txt":
            return Response(200, "text/plain; charset=utf-8", self.robots_txt().encode())
        article = self._by_path.get(parts.path)
        if article is not None:
            return self.html(self.article_page(article))
        for pattern, handler in self._routes:
            match = pattern.fullmatch(parts.path)
            if match:
                response = handler(match, query)
                return response if response is not None else self.not_found()
        return self.not_found()

    @staticmethod
    def page_number(query: Query, name: str = "page") -> int:
        """The 1-based page number in ``query`` (0 when malformed, which pages reject)."""
        value = query.get(name, "1")
        return int(value) if value.isdigit() else 0

    def listing(
        self, title: str, items: list[Article], page: int, href: Callable[[int], str]
    ) -> Response | None:
        """A paginated list of teasers; ``href(n)`` is the link to page ``n``."""
        paged = self.page_of(items, page)
        if paged is None:
            return None
        chunk, pages = paged
        links = [(n, href(n)) for n in range(1, pages + 1)]
        main = (
            f'<h1 class="listing-title">{h(title)}</h1><div class="listing">'
            + "".join(self.teaser(a) for a in chunk)
            + "</div>"
            + pager(links, page)
        )
        return self.html(self.layout(title, main))

    # -- templates ---------------------------------------------------------------------------

    @abstractmethod
    def teaser(self, article: Article) -> str:
        """An article's entry in listings and search results."""

    @abstractmethod
    def layout(self, title: str, main: str, head: str = "") -> str:
        """A whole HTML page: site chrome around ``main``."""

    @abstractmethod
    def article_page(self, article: Article) -> str:
        """The HTML page of one article."""
