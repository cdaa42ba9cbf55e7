"""Parse publication dates from structured values, URLs and visible text into UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser
from dateparser.data.languages_info import language_order

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
)
_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_DOTTED = re.compile(
    r"^(\d{1,2})[./](\d{1,2})[./](\d{4})(?:[,\s]+(?:в\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})([/_-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)"
)
_SPACES = re.compile(r"\s+")
_MAX_TEXT = 80
_YEAR = re.compile(r"(?:19|20)\d{2}")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_DEFAULT_LANGUAGES = ("en", "ru")
_SUPPORTED = frozenset(code for code in language_order if len(code) == 2)  # dateparser's


def _zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _to_utc(value: datetime, tz: str | None) -> datetime:
    """Attach ``tz`` (or UTC) to a naive datetime and convert to UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(tz) or UTC)
    return value.astimezone(UTC)


def _accept(value: datetime | None, now: datetime) -> datetime | None:
    """Keep only dates between 1990 and the fetch time."""
    if value is None or value < EARLIEST or value > now:
        return None
    return value


def _structured(text: str, tz: str | None) -> datetime | None:
    """ISO 8601, RFC 2822 and day-first numeric dates, without the slow general parser."""
    if _ISO.match(text):
        if len(text) == 10:  # a bare date names a calendar day, not an instant in some zone
            tz = "UTC"
        iso = _COMPACT_OFFSET.sub(r"\1:\2", text.replace(" ", "T", 1).replace(",", "."))
        try:
            return _to_utc(datetime.fromisoformat(iso), tz)
        except ValueError:
            return None
    if match := _DOTTED.match(text):
        if match.group(4) is None:  # a calendar day without a time
            tz = "UTC"
        day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            return _to_utc(datetime(year, month, day, hour, minute, second), tz)
        except ValueError:
            return None
    if text[:3].isalpha() and "," in text[:5]:
        try:
            return _to_utc(parsedate_to_datetime(text), tz)
        except (TypeError, ValueError, IndexError):
            return None
    return None


def _languages(language: str | None) -> list[str]:
    """Languages tried by the general parser: the page's own first, then English and Russian."""
    if language and language not in _DEFAULT_LANGUAGES and language in _SUPPORTED:
        return [language, *_DEFAULT_LANGUAGES]
    return list(_DEFAULT_LANGUAGES)


def parse_date(
    text: str | None,
    fetched_at: datetime | None = None,
    *,
    tz: str | None = None,
    language: str | None = None,
) -> datetime | None:
    """Parse a date string (ISO, RFC 2822, "10 January 2022, 10:10", "10 января 2022",
    "1 day ago", "вчера") into a UTC-aware datetime.

    Month names and relative phrases are read in ``language`` (ISO 639-1), English or Russian.
    Naive values are read in the IANA zone ``tz`` (UTC if not given); relative dates and dates
    without a year are resolved against ``fetched_at`` (default: now). Returns None for dates
    that cannot be parsed, lie in the future or fall before 1990.
    """
    if not text:
        return None
    text = _SPACES.sub(" ", text).strip()
    if (
        not text
        or len(text) > _MAX_TEXT
        or (not any(ch.isdigit() for ch in text) and len(text) > 30)
    ):
        return None
    now = (fetched_at or datetime.now(UTC)).astimezone(UTC)
    value = _structured(text, tz)
    if value is None and not _ISO.match(text):
        value = _general(text, now, _zone(tz) or UTC, language)
    return _accept(value, now + timedelta(minutes=1))


def _general(
    text: str, now: datetime, zone: ZoneInfo | timezone, language: str | None
) -> datetime | None:
    """Month names, relative phrases and other free forms, through dateparser."""
    value = dateparser.parse(
        text,
        languages=_languages(language),
        settings={
            "RELATIVE_BASE": now.astimezone(zone).replace(tzinfo=None),  # "yesterday" there
            "TIMEZONE": str(zone),
            "TO_TIMEZONE": "UTC",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "past",
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    if value is None:
        return None
    if value > now and not _YEAR.search(text):
        value = value.replace(year=value.year - 1)  # "12 December" read in early January
    local = value.astimezone(zone)
    if not _CLOCK.search(text) and local.time() == time(0):
        return datetime(local.year, local.month, local.day, tzinfo=UTC)  # a calendar day
    return value


def url_date(url: str, fetched_at: datetime | None = None) -> tuple[datetime, str] | None:
    """The date written in a URL path and the text it was read from, or None."""
    now = (fetched_at or datetime.now(UTC)).astimezone(UTC)
    for match in _URL_DATE.finditer(url):
        year, _, month, day = match.groups()
        try:
            value = datetime(int(year), int(month), int(day), tzinfo=UTC)
        except ValueError:
            continue
        if _accept(value, now):
            return value, match.group(0)
    return None


def date_from_url(url: str, fetched_at: datetime | None = None) -> datetime | None:
    """The date written in a URL path (/2022/01/10/, -2022-01-10-, /20220110/), or None."""
    found = url_date(url, fetched_at)
    return found[0] if found else None


def format_date(value: datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SSZ`` for a UTC datetime, None for None."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None
