from datetime import UTC, datetime

import pytest

from crawler.extraction.dates import date_from_url, format_date, parse_date

FETCHED = datetime(2022, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-01-10T21:48:00+03:00", "2022-01-10T18:48:00Z"),
        ("2022-01-10T21:48:00+0300", "2022-01-10T18:48:00Z"),
        ("2022-01-10T18:48:00.000Z", "2022-01-10T18:48:00Z"),
        ("2022-01-10 18:48", "2022-01-10T18:48:00Z"),
        ("2022-01-10", "2022-01-10T00:00:00Z"),
        ("Mon, 10 Jan 2022 21:48:00 +0300", "2022-01-10T18:48:00Z"),
        ("10.01.2022, 10:10", "2022-01-10T10:10:00Z"),
        ("January 10, 2022 10:10 AM EST", "2022-01-10T15:10:00Z"),
        ("10 January 2022, 10:10", "2022-01-10T10:10:00Z"),
        ("10 января 2022", "2022-01-10T00:00:00Z"),
        ("10 января 2022, 21:48", "2022-01-10T21:48:00Z"),
    ],
)
def test_absolute_formats(text: str, expected: str) -> None:
    assert format_date(parse_date(text, FETCHED)) == expected


def test_naive_times_read_in_given_zone() -> None:
    parsed = parse_date("10 January 2022, 10:10", FETCHED, tz="Asia/Almaty")
    assert format_date(parsed) == "2022-01-10T04:10:00Z"
    assert format_date(parse_date("10 января 2022, 21:48", FETCHED, tz="Europe/Moscow")) == (
        "2022-01-10T18:48:00Z"
    )


def test_explicit_offset_beats_zone() -> None:
    assert format_date(parse_date("2022-01-10T10:00:00Z", FETCHED, tz="Asia/Almaty")) == (
        "2022-01-10T10:00:00Z"
    )


def test_relative_dates_use_fetch_time() -> None:
    assert format_date(parse_date("1 day ago", FETCHED)) == "2022-02-28T12:00:00Z"
    assert format_date(parse_date("3 hours ago", FETCHED)) == "2022-03-01T09:00:00Z"
    assert format_date(parse_date("2 часа назад", FETCHED)) == "2022-03-01T10:00:00Z"
    assert parse_date("вчера, 10:10", FETCHED) == datetime(2022, 2, 28, 10, 10, tzinfo=UTC)


def test_day_and_month_without_year_take_latest_past_year() -> None:
    assert parse_date("10 January", FETCHED) == datetime(2022, 1, 10, tzinfo=UTC)
    assert parse_date("10 января", FETCHED) == datetime(2022, 1, 10, tzinfo=UTC)
    assert parse_date("12 December", FETCHED) == datetime(2021, 12, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2023-01-01T00:00:00Z", "5 March 2022", "1989-12-31", "12.05.1985"]
)
def test_future_and_pre_1990_dates_rejected(text: str) -> None:
    assert parse_date(text, FETCHED) is None


@pytest.mark.parametrize("text", ["", None, "no date here", "Read more about the CSTO summit"])
def test_non_dates(text: str | None) -> None:
    assert parse_date(text, FETCHED) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.org/world/2022/01/10/story", datetime(2022, 1, 10, tzinfo=UTC)),
        ("https://r.ru/en/main/csto-2022-01-10-21826/", datetime(2022, 1, 10, tzinfo=UTC)),
        ("https://x.org/news/20220110/story.html", datetime(2022, 1, 10, tzinfo=UTC)),
        ("https://tass.com/politics/1385617", None),
        ("https://x.org/2030/01/10/future", None),
    ],
)
def test_date_from_url(url: str, expected: datetime | None) -> None:
    assert date_from_url(url, FETCHED) == expected


def test_zone_applies_to_clock_times_not_to_bare_days_or_relative_dates() -> None:
    assert parse_date("10 января 2022", FETCHED, tz="Europe/Moscow") == datetime(
        2022, 1, 10, tzinfo=UTC
    )
    assert parse_date("10.01.2022", FETCHED, tz="Asia/Almaty") == datetime(2022, 1, 10, tzinfo=UTC)
    assert format_date(parse_date("2 hours ago", FETCHED, tz="Europe/Moscow")) == (
        "2022-03-01T10:00:00Z"
    )
    assert format_date(parse_date("вчера, 10:10", FETCHED, tz="Europe/Moscow")) == (
        "2022-02-28T07:10:00Z"
    )
