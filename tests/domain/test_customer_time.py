"""Country time zones and local-morning placement."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from backend.domain.customer_time import (
    describe_local,
    knows_country,
    morning_on,
    next_local_morning,
    timezone_for_country,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("country", "zone"), [
    ("DE", "Europe/Berlin"), ("de", "Europe/Berlin"), (" GB ", "Europe/London"),
    ("US", "America/Chicago"), ("JP", "Asia/Tokyo"), ("AU", "Australia/Sydney"),
    ("IN", "Asia/Kolkata"), ("BR", "America/Sao_Paulo"),
    (None, "UTC"), ("", "UTC"), ("XX", "UTC"),
])
def test_country_maps_to_a_representative_zone(country: str | None, zone: str) -> None:
    assert timezone_for_country(country).key == zone


def test_at_least_forty_countries_have_a_zone() -> None:
    countries = ["AT", "AU", "BE", "BR", "CA", "CH", "CN", "CZ", "DE", "DK", "ES", "FI", "FR", "GB",
                 "GR", "HK", "HU", "IE", "IL", "IN", "IT", "JP", "KR", "MX", "MY", "NL", "NO", "NZ",
                 "PH", "PL", "PT", "RO", "SE", "SG", "TH", "TR", "US", "ZA", "AE", "AR", "CL"]

    assert all(knows_country(code) for code in countries)
    assert not knows_country(None)


@pytest.mark.parametrize(("after", "tz", "expected"), [
    # Before 09:00 Berlin (08:00 UTC in winter): the same morning.
    (utc(2026, 11, 23, 6, 0), BERLIN, utc(2026, 11, 23, 8, 0)),
    # After it: the next morning.
    (utc(2026, 11, 23, 8, 1), BERLIN, utc(2026, 11, 24, 8, 0)),
    # Exactly at it: that very moment.
    (utc(2026, 11, 23, 8, 0), BERLIN, utc(2026, 11, 23, 8, 0)),
    # 03:00 UTC is still the previous evening in New York: 09:00 EST that same UTC day.
    (utc(2026, 11, 24, 3, 0), NEW_YORK, utc(2026, 11, 24, 14, 0)),
    # Summer time: 09:00 CEST is 07:00 UTC.
    (utc(2026, 7, 1, 0, 0), BERLIN, utc(2026, 7, 1, 7, 0)),
    # Unknown country: 09:00 UTC.
    (utc(2026, 11, 23, 10, 0), ZoneInfo("UTC"), utc(2026, 11, 24, 9, 0)),
])
def test_next_local_morning_is_nine_oclock_customer_time(after: datetime, tz: ZoneInfo,
                                                         expected: datetime) -> None:
    assert next_local_morning(after, tz) == expected


def test_local_morning_follows_the_dst_switch() -> None:
    # Berlin leaves summer time on Sunday 25 Oct 2026 at 03:00 local.
    saturday = next_local_morning(utc(2026, 10, 24, 0, 0), BERLIN)
    sunday = next_local_morning(saturday.replace(minute=1), BERLIN)

    assert saturday == utc(2026, 10, 24, 7, 0)
    assert sunday == utc(2026, 10, 25, 8, 0)
    assert sunday.astimezone(BERLIN).hour == 9


def test_local_morning_in_spring_forward_week_keeps_nine_local() -> None:
    # New York springs forward on Sunday 8 Mar 2026.
    assert morning_on(date(2026, 3, 7), NEW_YORK) == utc(2026, 3, 7, 14, 0)
    assert morning_on(date(2026, 3, 8), NEW_YORK) == utc(2026, 3, 8, 13, 0)


def test_hour_inside_a_dst_gap_lands_after_the_gap() -> None:
    # 02:30 does not exist in Berlin on 29 Mar 2026; the result must still be a real, later instant.
    result = morning_on(date(2026, 3, 29), BERLIN, hour=2)

    assert result.astimezone(BERLIN).hour == 3


def test_next_local_morning_returns_utc() -> None:
    assert next_local_morning(utc(2026, 11, 23, 6, 0), BERLIN).tzinfo is UTC


@pytest.mark.parametrize(("tz", "expected"), [
    (BERLIN, "Tuesday 1 Dec 09:00 customer time (Europe/Berlin)"),
    (ZoneInfo("UTC"), "Tuesday 1 Dec 08:00 UTC (customer's country unknown)"),
])
def test_describe_local_reads_like_a_calendar_entry(tz: ZoneInfo, expected: str) -> None:
    assert describe_local(utc(2026, 12, 1, 8, 0), tz) == expected
