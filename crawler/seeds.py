"""Seed articles: plain-text files in ``SEEDS_DIR`` with optional TOML sidecars.

A seed ``NAME.txt`` reads as: title on the first line, an optional date line, then subheadings and
paragraphs separated by blank lines, then optional trailing credit lines ("Based on materials from
TASS", "Photo: ...", the publisher's name), which are kept out of the body. ``NAME.toml`` beside
it may state the facts the text does not carry: ``url``, ``published``, ``publisher``, ``based_on``,
``language``, ``title``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from crawler.errors import InputError
from crawler.extraction import detect_language
from crawler.text import (
    content_hash,
    credited_agency,
    normalize_text,
    split_credits,
)
from crawler.urls import canonical_url, record_id

SIDECAR_KEYS = frozenset({"url", "published", "publisher", "based_on", "language", "title"})
MAX_SEED_BYTES = 5 * 1024 * 1024

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan", "января", "январь"),
            ("february", "feb", "февраля", "февраль"),
            ("march", "mar", "марта", "март"),
            ("april", "apr", "апреля", "апрель"),
            ("may", "мая", "май"),
            ("june", "jun", "июня", "июнь"),
            ("july", "jul", "июля", "июль"),
            ("august", "aug", "августа", "август"),
            ("september", "sep", "sept", "сентября", "сентябрь"),
            ("october", "oct", "октября", "октябрь"),
            ("november", "nov", "ноября", "ноябрь"),
            ("december", "dec", "декабря", "декабрь"),
        ),
        start=1,
    )
    for name in names
}
_DATE_LINES = (
    re.compile(
        r"^(?P<day>\d{1,2})\s+(?P<month>[^\W\d_]+)\.?(?:,?\s+(?P<year>\d{4}))?(?:\s*(?:г\.|года))?"
        r"(?:,?\s+\d{1,2}:\d{2})?$"
    ),
    re.compile(
        r"^(?P<month>[^\W\d_]+)\.?\s+(?P<day>\d{1,2})(?:,?\s+(?P<year>\d{4}))?(?:,?\s+\d{1,2}:\d{2})?$"
    ),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$"),
    re.compile(r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})$"),
)


@dataclass(frozen=True, slots=True)
class Seed:
    """One seed article as read from disk."""

    path: Path
    record: dict[str, Any]


def load_seeds(folder: str | Path) -> list[Seed]:
    """Read every ``*.txt`` seed in *folder*, sorted by file name.

    Raises :class:`InputError` naming the folder or file for anything unusable.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "seed folder does not exist")
    paths = sorted(p for p in folder.iterdir() if p.suffix == ".txt" and p.is_file())
    if not paths:
        raise InputError(folder, "no seed files (*.txt) in the seed folder")
    return [Seed(path, read_seed(path)) for path in paths]


def read_seed(path: Path) -> dict[str, Any]:
    """Parse one seed file (and its sidecar) into corpus record fields."""
    text = _read_text(path)
    facts = _read_sidecar(path.with_suffix(".toml"))
    parsed = parse_seed_text(text, path)
    title = facts.get("title") or parsed["title"]
    published, published_raw = parsed["published"], parsed["published_raw"]
    if "published" in facts:
        published = _sidecar_date(facts["published"], path.with_suffix(".toml"))
        published_raw = published_raw or str(facts["published"])
    url = facts.get("url") or f"seed:{path.name}"
    if "url" in facts:
        try:
            canonical = canonical_url(url)
        except ValueError:
            raise InputError(
                path.with_suffix(".toml"), f"url is not an http(s) URL: {url!r}"
            ) from None
        rid = record_id(canonical)
    else:
        canonical = url
        rid = content_hash(url)[:16]
    body = parsed["body"]
    return {
        "id": rid,
        "url": url,
        "canonical_url": canonical,
        "source": facts.get("publisher") or "seeds",
        "title": title,
        "description": parsed["description"],
        "body": body,
        "authors": [],
        "published": published,
        "published_raw": published_raw,
        "language": facts.get("language") or detect_language(f"{title}\n{body}"),
        "discovered_via": "seed",
        "referrer": None,
        "depth": 0,
        "relevance": 1.0,
        "matched_terms": [],
        "is_seed": True,
        "based_on": facts.get("based_on") or parsed["based_on"],
        "extractor": "seed-text",
    }


def parse_seed_text(text: str, where: Path | str = "<seed>") -> dict[str, Any]:
    """Split a plain-text seed into title, date, body and credits."""
    blocks = [normalize_text(b) for b in re.split(r"\n\s*\n", text)]
    lines = [line for block in blocks for line in block.split("\n") if line]
    if not lines:
        raise InputError(where, "seed file is empty")
    title, rest = lines[0], lines[1:]
    published = published_raw = None
    if rest:
        found, day = _parse_date_line(rest[0])
        if found:
            published_raw, published = rest[0], day and _iso(day)
            rest = rest[1:]
    rest, credits = split_credits(rest)
    if not rest:
        raise InputError(where, "seed has a title but no body text")
    description = next((p for p in rest if len(p.split()) >= 12), None)
    return {
        "title": title,
        "published": published,
        "published_raw": published_raw,
        "body": "\n\n".join(rest),
        "description": description,
        "based_on": credited_agency(credits),
        "credits": credits,
    }


def _parse_date_line(line: str) -> tuple[bool, datetime | None]:
    """Recognise a date line; return (is a date line, the date if it names a year)."""
    for pattern in _DATE_LINES:
        match = pattern.match(line.strip())
        if not match:
            continue
        month = match["month"]
        number = int(month) if month.isdigit() else _MONTHS.get(month.casefold())
        if not number or not 1 <= number <= 12:
            continue
        if match["year"] is None:
            return True, None
        try:
            return True, datetime(int(match["year"]), number, int(match["day"]), tzinfo=UTC)
        except ValueError:
            continue
    return False, None


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read seed file ({exc.strerror})") from None
    if not data.strip():
        raise InputError(path, "seed file is empty")
    if len(data) > MAX_SEED_BYTES:
        raise InputError(path, f"seed file is larger than {MAX_SEED_BYTES // 1024 // 1024} MB")
    if b"\x00" in data:
        raise InputError(path, "seed file is binary, expected UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, "seed file is not valid UTF-8 text") from None


def _read_sidecar(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        facts = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"sidecar is not valid TOML ({exc})") from None
    unknown = sorted(set(facts) - SIDECAR_KEYS)
    if unknown:
        raise InputError(
            path, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(SIDECAR_KEYS))})"
        )
    for key, value in facts.items():
        if key != "published" and not isinstance(value, str):
            raise InputError(path, f"{key} must be a string")
    return facts


def _sidecar_date(value: Any, where: Path) -> str:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return _iso(datetime(value.year, value.month, value.day, tzinfo=UTC))
    if isinstance(value, str):
        try:
            return _iso(datetime.fromisoformat(value))
        except ValueError:
            pass
    raise InputError(where, f"published must be a date like 2022-01-10, got {value!r}")


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
