"""search_url templates and parse_search_results on TASS and Kremlin search pages."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.discovery import DiscoveryError
from crawler.discovery.search import parse_search_results, search_url

TASS_SEARCH = """<html><body>
<form action="/search"><input name="searchStr" value="CSTO Kazakhstan"></form>
<div class="search-results">
  <div class="news-preview">
    <a class="news-preview__link" href="/politics/1385617">
      <span class="news-preview__title">CSTO leaders recognize events in Kazakhstan
        as aggression</span>
    </a>
    <div class="news-preview__lead">Putin says the alliance prevented the undermining of
      the foundations of the state.</div>
    <time datetime="2022-01-10T14:15:00+03:00">January 10, 14:15</time>
  </div>
  <div class="news-preview">
    <a class="news-preview__link" href="/world/1385671">
      <span class="news-preview__title">Tokayev thanks CSTO partners</span>
    </a>
  </div>
</div>
<a href="/search?searchStr=CSTO+Kazakhstan&amp;sort=date&amp;page=2">Next</a>
<a href="/politics">Politics</a>
</body></html>
"""

KREMLIN_SEARCH = """<html><body>
<ul class="search__results">
  <li class="search__item"><a href="/events/president/news/67555">Session of the CSTO Collective
      Security Council</a><p class="search__snippet">Vladimir Putin took part in an extraordinary
      session of the Collective Security Council.</p></li>
  <li class="search__item"><a href="/events/president/news/67557">Telephone conversation with
      President of Kazakhstan Kassym-Jomart Tokayev</a></li>
</ul>
<a class="pagination__next" href="/search?query=CSTO&amp;page=2" rel="next">»</a>
</body></html>
"""


def test_tass_search_url() -> None:
    url = search_url("https://tass.com/search?searchStr={query}&sort=date", "CSTO  Kazakhstan")
    assert url == "https://tass.com/search?searchStr=CSTO+Kazakhstan&sort=date"


def test_query_is_percent_encoded() -> None:
    url = search_url("http://en.kremlin.ru/search?query={query}", "ОДКБ & Казахстан/2022?")
    assert parse_qs(urlsplit(url).query) == {"query": ["ОДКБ & Казахстан/2022?"]}
    assert " " not in url and "&" not in urlsplit(url).query


def test_every_placeholder_is_replaced() -> None:
    url = search_url("https://a.example/s/{query}?again={query}", "a b")
    assert url == "https://a.example/s/a+b?again=a+b"


@pytest.mark.parametrize(
    ("template", "query", "problem"),
    [
        ("https://tass.com/search?searchStr=", "CSTO", "has no {query} placeholder"),
        ("https://tass.com/search?searchStr={q}", "CSTO", "has no {query} placeholder"),
        ("/search?query={query}", "CSTO", "not an absolute http(s) URL"),
        ("ftp://tass.com/search?q={query}", "CSTO", "not an absolute http(s) URL"),
        ("https://tass.com/search?q={query}", "  \n", "empty search query"),
        ("https://tass.com/search?q={query}", "bad \ud800 text", "not valid text"),
    ],
)
def test_bad_templates_and_queries(template: str, query: str, problem: str) -> None:
    with pytest.raises(DiscoveryError) as error:
        search_url(template, query)
    assert str(error.value).startswith(f"{template}: ")
    assert problem in str(error.value)


def test_tass_search_results() -> None:
    url = "https://tass.com/search?searchStr=CSTO+Kazakhstan&sort=date"
    page = parse_search_results(TASS_SEARCH, url)
    first, second = page.articles
    assert first.via == second.via == "search"
    assert first.url == "https://tass.com/politics/1385617"
    assert first.title == "CSTO leaders recognize events in Kazakhstan as aggression"
    assert first.snippet.startswith("Putin says the alliance prevented")
    assert first.published == datetime(2022, 1, 10, 11, 15, tzinfo=UTC)
    assert second.snippet == ""
    assert page.pages == [
        "https://tass.com/search?searchStr=CSTO+Kazakhstan&sort=date&page=2",
        "https://tass.com/politics",
    ]


def test_kremlin_search_results_and_allowed_hosts() -> None:
    url = "http://en.kremlin.ru/search?query=CSTO"
    page = parse_search_results(KREMLIN_SEARCH, url)
    assert [c.url for c in page.articles] == [
        "http://en.kremlin.ru/events/president/news/67555",
        "http://en.kremlin.ru/events/president/news/67557",
    ]
    assert page.articles[0].title == "Session of the CSTO Collective Security Council"
    assert page.articles[0].snippet.startswith("Vladimir Putin took part")
    assert page.pages == ["http://en.kremlin.ru/search?query=CSTO&page=2"]
    assert parse_search_results(KREMLIN_SEARCH, url, allowed_hosts=["kremlin.ru"]).articles == []


@settings(max_examples=300, deadline=None)
@given(template=st.text(max_size=80), query=st.text(max_size=80))
def test_random_templates_give_url_or_discovery_error(template: str, query: str) -> None:
    try:
        url = search_url(template, query)
    except DiscoveryError:
        return
    assert url.lower().startswith(("http://", "https://"))
    assert "{query}" not in url or "{query}" in query


@settings(max_examples=200, deadline=None)
@given(query=st.text(min_size=1, max_size=80))
def test_query_round_trips(query: str) -> None:
    try:
        url = search_url("https://a.example/search?q={query}&sort=date", query)
    except DiscoveryError:
        return
    assert parse_qs(urlsplit(url).query)["q"] == [" ".join(query.split())]
