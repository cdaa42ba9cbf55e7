from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.errors import InputError
from crawler.sources import load_sources
from tests.conftest import ROOT

REAL_SOURCES = {
    "TASS",
    "Kremlin",
    "Akorda",
    "CSTO",
    "Kazinform",
    "Eurasianet",
    "RFE/RL",
    "Al Jazeera",
    "AP",
    "BBC",
    "Reuters",
    'GSV "Russia - Islamic World"',
}


def test_default_catalogue_lists_the_real_sources() -> None:
    sources = load_sources(ROOT / "crawler" / "sources.toml")
    assert {s.name for s in sources} == REAL_SOURCES
    by_name = {s.name: s for s in sources}
    assert by_name["TASS"].feeds == ("https://tass.com/rss/v2.xml",)
    assert "{query}" in by_name["TASS"].search
    assert by_name["Kremlin"].delay == 15
    assert "russia-islworld.ru" in by_name['GSV "Russia - Islamic World"'].all_hosts
    assert all(s.language == "en" for s in sources)


def _load(tmp_path: Path, text: str):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return load_sources(path)


def test_full_source(tmp_path: Path) -> None:
    (source,) = _load(
        tmp_path,
        """
[[sources]]
name = "Site"
url = "https://www.site.example/"
feeds = ["https://feeds.site.example/rss.xml"]
sitemaps = "https://www.site.example/sitemap.xml"
listings = ["https://www.site.example/world/"]
search = "https://www.site.example/search?q={query}"
language = "ru"
hosts = ["m.site.example"]
delay = 2
""",
    )
    assert source.sitemaps == ("https://www.site.example/sitemap.xml",)
    assert source.all_hosts == {"site.example", "feeds.site.example", "m.site.example"}
    assert source.language == "ru" and source.delay == 2.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[sources]]\nname = "A"\nurl = "http://a.example/"\nlanguage = "english"\n', "ISO 639-1"),
        ('[[sources]]\nname = "A"\nurl = "http://a.example/"\ndelay = -1\n', "'delay'"),
        ('[[sources]]\nname = "A"\nurl = "http://a.example/"\nfeeds = 3\n', "list of strings"),
        (
            '[[sources]]\nname = "A"\nurl = "http://a.example/"\n[[sources]]\nname = "A"\n'
            'url = "http://b.example/"\n',
            "appears twice",
        ),
        ('[[sources]]\nurl = "http://a.example/"\n', "missing 'name'"),
        ('title = "x"\n', "unknown top-level key"),
    ],
)
def test_invalid_sources(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        _load(tmp_path, text)
    assert "sources.toml" in str(info.value)
    assert "\n" not in str(info.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_loads_or_fails_with_input_error(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("h") / "sources.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_sources(path)
    except InputError as exc:
        assert str(exc).startswith(str(path))
