"""Per-source counters kept in Scrapy's stats collector under ``news/<kind>/<source>``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from scrapy.statscollectors import StatsCollector

PREFIX = "news/"
KINDS = (
    "pages_fetched",
    "articles_extracted",
    "stored",
    "duplicates",
    "known",
    "low_score",
    "unrelated",
    "not_article",
    "extraction_failed",
    "robots_disallowed",
    "not_modified",
    "skipped_unreachable",
    "errors",
    "retries",
)

# per-failure-kind counters: stats key part -> name in per_source()
_FAILURE_GROUPS = {"error": "errors", "retry": "retries"}

SEEDS = "(seeds)"


def source_of(record: Mapping[str, Any]) -> str:
    """The name a record is counted under: its source, or ``(seeds)`` for seed records."""
    return SEEDS if record.get("is_seed") else record["source"]


def count(stats: StatsCollector, source: str, kind: str, amount: int = 1) -> None:
    """Add *amount* to the *kind* counter of *source* and to the run total."""
    stats.inc_value(f"{PREFIX}{kind}/{source}", amount)
    stats.inc_value(f"{PREFIX}{kind}", amount)


def per_source(stats: dict[str, object]) -> dict[str, dict[str, int]]:
    """``{source: {kind: n}}`` from a stats dict; failure kinds appear as ``errors/<kind>``
    (requests that failed) and ``retries/<kind>`` (tries that failed and were retried)."""
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for key, value in stats.items():
        if not key.startswith(PREFIX) or not isinstance(value, int):
            continue
        kind, _, rest = key[len(PREFIX) :].partition("/")
        if kind in _FAILURE_GROUPS:
            failure, _, source = rest.partition("/")
            if source:
                table[source][f"{_FAILURE_GROUPS[kind]}/{failure}"] = value
        elif kind in KINDS and rest:
            table[rest][kind] = value
    return dict(table)


def count_error(stats: StatsCollector, source: str, kind: str) -> None:
    """Count a failed request of *source* by failure kind (dns, timeout, http_404...)."""
    stats.inc_value(f"{PREFIX}error/{kind}/{source}")
    count(stats, source, "errors")


def count_retry(stats: StatsCollector, source: str, kind: str) -> None:
    """Count a failed try of *source* that is retried (timeout, http_503...): a transient failure,
    which is not an error unless the last try fails too."""
    stats.inc_value(f"{PREFIX}retry/{kind}/{source}")
    count(stats, source, "retries")
