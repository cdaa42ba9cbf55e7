"""The ``related`` spider: from the seed articles to the related coverage on the configured sources.

It emits the seed records first, then reads every source's feeds, sitemaps, search endpoint and
listing pages, fetches the candidate articles in order of their pre-fetch score, keeps the pages
related to the seeds and follows links out of those within the configured sites, up to
``DEPTH_LIMIT`` hops. Parsing lives in ``crawler.discovery`` and ``crawler.extraction``; scoring in
``crawler.topic``; this module only decides what to request next.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any, ClassVar, NamedTuple

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from crawler.datadir import DataDir, record_key
from crawler.discovery import Candidate, DiscoveryError
from crawler.discovery.feeds import parse_feed
from crawler.discovery.listings import parse_listing
from crawler.discovery.search import parse_search_results, search_url
from crawler.discovery.sitemaps import parse_sitemap
from crawler.errors import InputError
from crawler.extraction import extract_article
from crawler.failures import failure_kind
from crawler.items import Article
from crawler.middlewares import CONDITIONAL
from crawler.runstats import count, count_error
from crawler.seeds import load_seeds
from crawler.sources import Source, load_sources
from crawler.topic import DEFAULT_MIN_RELEVANCE, TopicProfile, score_article, score_candidate
from crawler.urls import canonical_url, host_of

# Request priorities: entry points first, then articles by pre-fetch score, listing pages last.
PRIORITY_ENTRY = 1000
PRIORITY_ARTICLE = 100
PRIORITY_LISTING = 10
MIN_BODY_CHARS = 200
DEFAULT_WINDOW_DAYS = 30
# Candidates known only by their URL are released this many at a time once the run is otherwise
# done, the next batch when half of one is answered: the scheduler never holds them all.
RELEASE_BATCH = 500
_HELD_META = ("source", "via", "depth", "referrer")  # what a held candidate keeps of its meta
# Failures that say the site itself cannot be reached (as opposed to one page failing).
UNREACHABLE = frozenset({"dns", "connection_refused", "connect", "timeout", "unsupported_scheme"})


class RelatedSpider(scrapy.Spider):
    name = "related"
    custom_settings: ClassVar[dict[str, Any]] = {
        # depth counts hops between articles, not pages of a listing: the spider tracks it itself
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.depth.DepthMiddleware": None},
    }

    def __init__(
        self,
        since: str | None = None,
        until: str | None = None,
        min_relevance: str | None = None,
        refresh: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._args = {"since": since, "until": until, "min_relevance": min_relevance}
        self.refresh = _flag("refresh", refresh)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Give sources with a ``delay`` their own download slots with that delay."""
        super().update_settings(settings)
        try:
            sources = load_sources(settings.get("SOURCES_FILE"))
        except InputError:
            return  # reported by configure()
        slots = {
            host: {"delay": source.delay, "concurrency": 1}
            for source in sources
            if source.delay is not None
            for bare in source.all_hosts
            for host in (bare, f"www.{bare}")
        }
        if slots:
            settings.set(
                "DOWNLOAD_SLOTS", {**settings.getdict("DOWNLOAD_SLOTS"), **slots}, priority="spider"
            )

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RelatedSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler.settings)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    def configure(self, settings: BaseSettings) -> None:
        """Load seeds and sources and build the topic profile; raise InputError on bad input."""
        self.seeds = load_seeds(settings.get("SEEDS_DIR"))
        self.sources = load_sources(settings.get("SOURCES_FILE"))
        try:
            self.profile = TopicProfile.from_records([seed.record for seed in self.seeds])
        except ValueError as exc:
            raise InputError(settings.get("SEEDS_DIR"), str(exc)) from None
        self.since, self.until = _date_window(
            self._args["since"], self._args["until"], self.profile.date_window(DEFAULT_WINDOW_DAYS)
        )
        self.min_relevance = _fraction(self._args["min_relevance"], DEFAULT_MIN_RELEVANCE)
        self.depth_limit = settings.getint("DEPTH_LIMIT")
        self.max_listing_pages = settings.getint("MAX_LISTING_PAGES")
        self.max_queries = settings.getint("MAX_SEARCH_QUERIES")
        self.min_candidate_score = settings.getfloat("MIN_CANDIDATE_SCORE")
        self._source_of_host = {host: s for s in self.sources for host in s.all_hosts}
        self._fixed_delay = {s.name for s in self.sources if s.delay is not None}
        self._listing_pages: Counter[str] = Counter()
        # links already requested or ruled out this run: menus and listings repeat them
        self._settled: set[str] = set()
        # candidates not requested yet: canonical URL -> what is known (see _article_requests)
        self._held: dict[str, _Held] = {}
        self._releasing = False  # the run is otherwise done: URL-only candidates go out
        self._released = 0  # released candidates not answered yet
        self._listings_read: set[int] = set()  # hashes of the listing pages read this run
        self._pending: dict[str, list[scrapy.Request]] = {}

    # --- start --------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        """Seed records, then one probe request per source; a source's other entry points
        follow once its probe has answered (see :meth:`_release`), so a dead site costs one
        request, not one per entry point."""
        fetched_at = _now()
        max_age = self.crawler.settings.getint("STATE_MAX_AGE_DAYS")
        if max_age > 0:
            pruned = DataDir.for_crawler(self.crawler).state.prune(timedelta(days=max_age))
            self.logger.info("forgot %d URL outcomes older than %d days", pruned, max_age)
        for seed in self.seeds:
            yield Article.from_fields(seed.record, fetched_at=fetched_at)
        for request in self._frontier_requests():
            yield request
        for source in self.sources:
            probe, *rest = self._entry_requests(source)
            self._pending[source.name] = rest
            yield probe

    def _frontier_requests(self) -> Iterator[scrapy.Request]:
        """Links of related articles that an earlier run found but never fetched (killed)."""
        state = DataDir.for_crawler(self.crawler).state
        for url, meta in state.frontier():
            if self._known_host(url) and (self.refresh or state.should_fetch(record_key(url))):
                self._settled.add(url)
                yield self._article_request(url, meta)

    def _release(self, source: str) -> list[scrapy.Request]:
        """The entry requests of *source* held back until its probe answered (once)."""
        return self._pending.pop(source, [])

    def _entry_requests(self, source: Source) -> Iterator[scrapy.Request]:
        meta = {"source": source.name, "depth": 0, CONDITIONAL: True}
        for url in source.feeds:
            yield self._request(url, self.parse_feed, {**meta, "via": "feed"}, PRIORITY_ENTRY)
        for url in source.sitemaps:
            yield self._request(url, self.parse_sitemap, {**meta, "via": "sitemap"}, PRIORITY_ENTRY)
        if source.search:
            for query in self.profile.queries(self.max_queries):
                url = search_url(source.search, query)
                yield self._request(
                    url, self.parse_listing, {**meta, "via": "search"}, PRIORITY_ENTRY
                )
        for url in dict.fromkeys((source.url, *source.listings)):
            yield self._request(url, self.parse_listing, {**meta, "via": "listing"}, PRIORITY_ENTRY)

    def _request(
        self, url: str, callback: Any, meta: dict[str, Any], priority: int, **kwargs: Any
    ) -> scrapy.Request:
        if meta["source"] in self._fixed_delay:
            meta = {**meta, "autothrottle_dont_adjust_delay": True}
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, meta=meta, priority=priority, **kwargs
        )

    # --- entry points -------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self._release(response.meta["source"])
        if self._unchanged(response):
            return
        try:
            candidates = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            self._discovery_failed(response, exc)
            return
        yield from self._article_requests(candidates, response)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self._release(response.meta["source"])
        if self._unchanged(response):
            return
        try:
            page = parse_sitemap(response.body, response.url)
        except DiscoveryError as exc:
            self._discovery_failed(response, exc)
            return
        for url in page.sitemaps:
            if self._known_host(url):
                yield self._request(
                    url, self.parse_sitemap, _child_meta(response), PRIORITY_ENTRY - 1
                )
        yield from self._article_requests(page.candidates, response)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        source = response.meta["source"]
        yield from self._release(source)
        if self._unchanged(response) or not isinstance(response, TextResponse):
            return
        digest = hash(response.body)
        if digest in self._listings_read:
            return  # the same page under another URL (a soft 404, paging past the end)
        self._listings_read.add(digest)
        yield from self._follow_listing(response, response.meta["via"])

    def _follow_listing(self, response: TextResponse, via: str) -> Iterator[scrapy.Request]:
        """Requests for the articles and further pages of a listing or search result page."""
        source = response.meta["source"]
        hosts = self._hosts_of(source)
        if via == "search":
            page = parse_search_results(response.text, response.url, allowed_hosts=hosts)
        else:
            page = parse_listing(
                response.text, response.url, allowed_hosts=hosts, skip=self._settled
            )
        yield from self._article_requests(page.articles, response)
        if via == "search" and not any(score_candidate(self.profile, c) > 0 for c in page.articles):
            return  # the results stopped being relevant: do not page further
        for url in page.pages:
            if self._listing_pages[source] >= self.max_listing_pages:
                break
            self._listing_pages[source] += 1
            yield self._request(url, self.parse_listing, _child_meta(response), PRIORITY_LISTING)

    def _unchanged(self, response: Response) -> bool:
        """True for a 304 answer to a conditional request: nothing new to read there."""
        if response.status != 304:
            return False
        count(self.crawler.stats, response.meta["source"], "not_modified")
        return True

    def _discovery_failed(self, response: Response, exc: DiscoveryError) -> None:
        self.logger.warning("%s", exc)
        count_error(self.crawler.stats, response.meta["source"], "unreadable_entry_point")

    # --- candidates -> requests ---------------------------------------------------------------

    def _article_requests(
        self, candidates: Iterable[Candidate], response: Response
    ) -> Iterator[scrapy.Request]:
        """Requests for the candidates worth fetching now; the others are held (see _triage)."""
        for url, meta, now in self._triage(candidates, response):
            if now:
                yield self._article_request(url, meta)

    def _triage(
        self, candidates: Iterable[Candidate], response: Response
    ) -> Iterator[tuple[str, dict[str, Any], bool]]:
        """``(url, request meta, fetch now)`` of the candidates that may be fetched this run.

        A candidate whose title, summary or keywords score at least ``MIN_CANDIDATE_SCORE``, or
        that a related article lists in its related-stories box, is to be fetched at once, by
        score. One known only by its URL is held until the run is otherwise done (another link to
        it may tell more). One that scored lower is held for a better link and dropped at the
        end (counted as ``low_score``): it is not yielded.
        """
        depth = response.meta["depth"] + 1
        if depth > self.depth_limit:
            return
        data = DataDir.for_crawler(self.crawler)
        settled = self._settled
        for candidate in candidates:
            if candidate.url in settled:
                continue
            try:
                url = canonical_url(candidate.url)
            except ValueError:
                settled.add(candidate.url)
                continue
            if not self._known_host(url):
                settled.add(candidate.url)
                continue
            if not self._in_window(candidate.published):
                continue  # another link to it may carry another date
            if not self.refresh and not data.state.should_fetch(record_key(url)):
                settled.add(candidate.url)
                continue  # known from an earlier run (stored, duplicate, unrelated...)
            score = score_candidate(self.profile, candidate)
            judged = bool(candidate.title or candidate.snippet or candidate.keywords)
            vouched = candidate.via == "link" and candidate.related_box
            held = self._held.get(url)
            if held and not vouched and (held.judged, held.score) >= (judged, score):
                continue  # this link says no more than an earlier one
            meta = {
                "source": self._source_for(url, response.meta["source"]),
                "via": response.meta["via"] if candidate.via != "link" else "link",
                "depth": depth,
                "referrer": response.url,
                "score": score,
            }
            if vouched or (judged and score >= self.min_candidate_score):
                self._held.pop(url, None)
                settled.add(candidate.url)
                yield url, meta, True
            else:
                self._held[url] = _Held(score, judged, **{k: meta[k] for k in _HELD_META})
                if not judged:
                    yield url, meta, False

    def _article_request(self, url: str, meta: dict[str, Any]) -> scrapy.Request:
        priority = PRIORITY_ARTICLE + round(meta["score"] * 100) - meta["depth"]
        return self._request(url, self.parse_article, meta, priority)

    def spider_idle(self) -> None:
        """Release the candidates known only by their URL (see _next_batch); at the end, count
        the dropped ones."""
        self._releasing = True
        batch = list(self._next_batch())
        if batch:
            for request in batch:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider
        for held in self._held.values():
            count(self.crawler.stats, held.source, "low_score")
        self._held.clear()

    def _answered(self, request: scrapy.Request) -> Iterator[scrapy.Request]:
        """Count an answered released candidate; top the released ones up when half are back."""
        if request.meta.get("released"):
            self._released -= 1
        if self._releasing and self._released <= RELEASE_BATCH // 2:
            yield from self._next_batch()

    def _next_batch(self) -> Iterator[scrapy.Request]:
        unjudged = (url for url, held in self._held.items() if not held.judged)
        for url in list(islice(unjudged, RELEASE_BATCH)):
            meta = {**self._held.pop(url).meta(), "released": True}
            self._released += 1
            yield self._article_request(url, meta)

    # --- articles -----------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        yield from self._answered(response.request)  # type: ignore[arg-type]
        meta = response.meta
        source = meta["source"]
        if not isinstance(response, TextResponse):
            self._outcome(response, "not_article")
            return
        fetched_at = datetime.now(UTC).replace(microsecond=0)
        fields = extract_article(
            response.body,
            response.url,
            content_type=_header(response, b"Content-Type"),
            fetched_at=fetched_at,
        )
        if fields["page_type"] == "listing":  # a tag or section page reached through a link
            yield from self._follow_listing(response, "listing")
            return
        if fields["page_type"] != "article":
            self._outcome(response, "not_article")
            return
        if len(fields["body"] or "") < MIN_BODY_CHARS or not fields["title"]:
            self._outcome(response, "extraction_failed")
            return
        count(self.crawler.stats, source, "articles_extracted")
        published = _parse_iso(fields["published"])
        relevance, matched = score_article(
            self.profile, fields["title"], fields["description"] or "", fields["body"], published
        )
        if relevance < self.min_relevance or not self._in_window(published):
            self._outcome(response, "unrelated")
            return
        links = parse_listing(
            response.text,
            response.url,
            via="link",
            allowed_hosts=self._source_of_host.keys(),
            pages=False,
            skip=self._settled,
        )
        follow = list(self._triage(links.articles, response))
        if follow:  # remembered before the article is stored: a kill must not lose them
            DataDir.for_crawler(self.crawler).state.add_to_frontier(
                (record_key(url), url, meta) for url, meta, _ in follow
            )
        yield Article.from_fields(
            fields,
            url=response.url,
            source=source,
            fetched_at=fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            discovered_via=meta["via"],
            referrer=meta.get("referrer"),
            depth=meta["depth"],
            relevance=round(relevance, 4),
            matched_terms=matched,
        )
        for url, link_meta, now in follow:
            if now:
                yield self._article_request(url, link_meta)

    def on_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        yield from self._answered(request)
        kind = failure_kind(failure)
        source = request.meta.get("source", "?")
        if kind in UNREACHABLE:
            held = self._release(source)
            if held:
                self.logger.warning(
                    "%s: %s on %s; skipping its %d other entry points this run",
                    source,
                    kind,
                    request.url,
                    len(held),
                )
                count(self.crawler.stats, source, "skipped_unreachable", len(held))
        else:
            yield from self._release(source)  # the site answered (HTTP error, robots.txt)
        if kind == "robots":
            count(self.crawler.stats, source, "robots_disallowed")
            if request.callback == self.parse_article:  # not asked for again, nor kept in the
                self._remember(request.url, "robots_disallowed")  # frontier
            return
        count_error(self.crawler.stats, source, kind)
        # a request the circuit breaker dropped was never tried: no back-off for it next run
        if request.callback == self.parse_article and kind != "circuit_open":
            self._remember(request.url, "failed", kind)
        self.logger.info("%s: %s (%s)", request.url, kind, failure.getErrorMessage())

    # --- helpers ------------------------------------------------------------------------------

    def _outcome(self, response: Response, outcome: str) -> None:
        """Count a fetched page that gives no record, and remember why."""
        count(self.crawler.stats, response.meta["source"], outcome)
        self._remember(response.url, outcome)

    def _remember(self, url: str, outcome: str, error: str | None = None) -> None:
        state = DataDir.for_crawler(self.crawler).state
        state.mark_url(record_key(canonical_url(url)), url, outcome, error=error)

    def _known_host(self, url: str) -> bool:
        return host_of(url) in self._source_of_host

    def _source_for(self, url: str, default: str) -> str:
        source = self._source_of_host.get(host_of(url))
        return source.name if source else default

    def _hosts_of(self, name: str) -> frozenset[str]:
        return next(s.all_hosts for s in self.sources if s.name == name)

    def _in_window(self, published: datetime | None) -> bool:
        if published is None:
            return True
        day = published.astimezone(UTC).date()
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


class _Held(NamedTuple):
    """A candidate not requested yet: its best pre-fetch score, whether a title, summary or
    keywords backed that score, and what its request would carry (a tuple, not a dict: a big
    sitemap holds tens of thousands)."""

    score: float
    judged: bool
    source: str
    via: str
    depth: int
    referrer: str

    def meta(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "via": self.via,
            "depth": self.depth,
            "referrer": self.referrer,
            "score": self.score,
        }


def _child_meta(response: Response) -> dict[str, Any]:
    """Meta of a further page of the same entry point (a child sitemap, the next listing page)."""
    meta = response.meta
    return {"source": meta["source"], "via": meta["via"], "depth": meta["depth"], CONDITIONAL: True}


def _date_window(
    since: str | None, until: str | None, default: tuple[date | None, date | None]
) -> tuple[date | None, date | None]:
    """The -a since/until window; each bound defaults to the profile's window."""
    start = _date_arg("since", since) if since else default[0]
    end = _date_arg("until", until) if until else default[1]
    if start and end and start > end:
        raise InputError("-a since/until", f"since ({start}) is after until ({end})")
    return start, end


def _date_arg(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"-a {name}", f"expected a date like 2022-01-10, got {value!r}") from None


def _fraction(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise InputError("-a min_relevance", f"expected a number from 0 to 1, got {value!r}")
    return number


def _flag(name: str, value: str | None) -> bool:
    if value is None or value.lower() in ("0", "false", "no", ""):
        return False
    if value.lower() in ("1", "true", "yes"):
        return True
    raise InputError(f"-a {name}", f"expected 1 or 0, got {value!r}")


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
