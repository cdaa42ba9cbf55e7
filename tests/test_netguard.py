"""Safety defaults: nothing listens, nothing private is fetched unless it is a configured source."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from twisted.internet.error import DNSLookupError

from crawler.middlewares import SafeDestinationMiddleware
from crawler.netguard import GuardedResolver, allowed_hosts, is_public


def test_no_remote_control_or_telnet_by_default() -> None:
    settings = get_project_settings()
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings["TWISTED_DNS_RESOLVER"] == "crawler.netguard.GuardedResolver"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("::1", False),
        ("[fd00::1]", False),
        ("example.org", True),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.fixture
def guard(tmp_path: Path) -> SafeDestinationMiddleware:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[sources]]\nname = "Local"\nurl = "http://127.0.0.2:8080/"\n')
    return SafeDestinationMiddleware(allowed_hosts(Settings({"SOURCES_FILE": str(sources)})))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/",
        "http://[::1]:9000/",
        "ftp://127.0.0.2/file",
        "file:///etc/passwd",
    ],
)
def test_private_and_non_http_destinations_are_refused(guard, url: str) -> None:
    with pytest.raises(IgnoreRequest, match="refused"):
        guard.process_request(Request(url))


@pytest.mark.parametrize("url", ["http://127.0.0.2:8080/news/1", "https://tass.com/politics/1"])
def test_configured_sources_and_public_hosts_pass(guard, url: str) -> None:
    assert guard.process_request(Request(url)) is None


def test_names_resolving_to_private_addresses_are_refused() -> None:
    resolver = GuardedResolver.__new__(GuardedResolver)
    resolver.allowed = frozenset({"intranet.example"})
    with pytest.raises(DNSLookupError, match="non-public address"):
        resolver._check("10.0.0.7", "evil.example")
    assert resolver._check("10.0.0.7", "intranet.example") == "10.0.0.7"
    assert resolver._check("93.184.216.34", "example.org") == "93.184.216.34"
