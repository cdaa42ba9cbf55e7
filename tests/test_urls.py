from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.urls import canonical_url, host_of, record_id, url_key

MAIN = "https://example.com/news/csto-summit-2022-01-10/"


@pytest.mark.parametrize(
    "variant",
    [
        "HTTPS://EXAMPLE.COM:443/news/csto-summit-2022-01-10/",
        "https://example.com/news/csto-summit-2022-01-10/#comments",
        "https://example.com/news/csto-summit-2022-01-10/?utm_source=tw&utm_medium=social",
        "https://example.com/news/csto-summit-2022-01-10/?fbclid=abc&gclid=x&yclid=1&ref=home",
        "https://example.com/news/csto-summit-2022-01-10/?from=rss&rss=1",
        "https://example.com/news/csto-summit-2022-01-10/amp/",
        "https://example.com/amp/news/csto-summit-2022-01-10/",
        "https://example.com//news//csto-summit-2022-01-10/",
    ],
)
def test_variants_collapse_to_one_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == MAIN
    assert record_id(variant) == record_id(MAIN)


def test_mobile_and_amp_editions_are_the_same_page() -> None:
    main = record_id("https://www.example.com/news/story-1")
    for edition in (
        "https://m.example.com/news/story-1",
        "https://amp.example.com/news/story-1",
        "https://mobile.example.com/news/story-1/amp",
    ):
        assert record_id(edition) == main
    assert record_id("https://m.com/news/story-1") != record_id("https://com/news/story-1")


def test_identity_ignores_scheme_www_and_trailing_slash() -> None:
    assert url_key("http://www.example.com/a/") == url_key("https://example.com/a")
    assert record_id("http://www.example.com/a/") == record_id("https://example.com/a")


def test_meaningful_parameters_are_kept_and_sorted() -> None:
    url = "https://ex.com/list/?PAGEN_1=2&id=7&utm_campaign=x"
    assert canonical_url(url) == "https://ex.com/list/?PAGEN_1=2&id=7"
    assert canonical_url("https://ex.com/s?q=csto&page=2") == "https://ex.com/s?page=2&q=csto"
    assert (
        canonical_url("https://r.com/sitemap/?outputType=xml")
        == "https://r.com/sitemap/?outputType=xml"
    )


def test_distinct_pages_stay_distinct() -> None:
    assert record_id("https://ex.com/a?id=1") != record_id("https://ex.com/a?id=2")
    assert record_id("https://ex.com/a") != record_id("https://ex.org/a")
    assert record_id("http://127.0.0.2:8080/a") != record_id("http://127.0.0.3:8080/a")


def test_non_default_port_is_kept() -> None:
    assert canonical_url("http://127.0.0.2:8080/x") == "http://127.0.0.2:8080/x"
    assert canonical_url("http://ex.com:80/x") == "http://ex.com/x"


@pytest.mark.parametrize(
    "bad", ["mailto:a@b.c", "javascript:void(0)", "/relative/path", "ftp://x.org/f"]
)
def test_non_http_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not an absolute http"):
        canonical_url(bad)


def test_host_of() -> None:
    assert host_of("https://www.BBC.co.uk/news") == "bbc.co.uk"
    assert host_of("http://127.0.0.2:8080/") == "127.0.0.2"


@given(st.text())
def test_canonical_url_never_raises_anything_but_value_error(text: str) -> None:
    try:
        result = canonical_url(text)
    except ValueError:
        return
    assert canonical_url(result) == result
