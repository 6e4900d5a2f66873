"""The customer's clock: a representative time zone per country and local-morning placement."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# One zone per ISO 3166-1 alpha-2 country. For countries that span several zones the choice is the
# zone that puts 09:00 inside everyone's morning or covers most people (e.g. US: Chicago is 10:00 in
# New York and 07:00 in Los Angeles).
_COUNTRY_ZONES: dict[str, str] = {
    "AE": "Asia/Dubai", "AR": "America/Argentina/Buenos_Aires", "AT": "Europe/Vienna",
    "AU": "Australia/Sydney", "BE": "Europe/Brussels", "BG": "Europe/Sofia",
    "BR": "America/Sao_Paulo", "CA": "America/Toronto", "CH": "Europe/Zurich",
    "CL": "America/Santiago", "CN": "Asia/Shanghai", "CO": "America/Bogota",
    "CY": "Asia/Nicosia", "CZ": "Europe/Prague", "DE": "Europe/Berlin", "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn", "EG": "Africa/Cairo", "ES": "Europe/Madrid", "FI": "Europe/Helsinki",
    "FR": "Europe/Paris", "GB": "Europe/London", "GH": "Africa/Accra", "GR": "Europe/Athens",
    "HK": "Asia/Hong_Kong", "HR": "Europe/Zagreb", "HU": "Europe/Budapest",
    "ID": "Asia/Jakarta", "IE": "Europe/Dublin", "IL": "Asia/Jerusalem", "IN": "Asia/Kolkata",
    "IS": "Atlantic/Reykjavik", "IT": "Europe/Rome", "JP": "Asia/Tokyo", "KE": "Africa/Nairobi",
    "KR": "Asia/Seoul", "LI": "Europe/Vaduz", "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg",
    "LV": "Europe/Riga", "MA": "Africa/Casablanca", "MT": "Europe/Malta",
    "MX": "America/Mexico_City", "MY": "Asia/Kuala_Lumpur", "NG": "Africa/Lagos",
    "NL": "Europe/Amsterdam", "NO": "Europe/Oslo", "NZ": "Pacific/Auckland", "PE": "America/Lima",
    "PH": "Asia/Manila", "PK": "Asia/Karachi", "PL": "Europe/Warsaw", "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest", "RS": "Europe/Belgrade", "RU": "Europe/Moscow",
    "SA": "Asia/Riyadh", "SE": "Europe/Stockholm", "SG": "Asia/Singapore",
    "SI": "Europe/Ljubljana", "SK": "Europe/Bratislava", "TH": "Asia/Bangkok",
    "TR": "Europe/Istanbul", "TW": "Asia/Taipei", "UA": "Europe/Kyiv", "US": "America/Chicago",
    "UY": "America/Montevideo", "VN": "Asia/Ho_Chi_Minh", "ZA": "Africa/Johannesburg",
}
_UTC_ZONE = ZoneInfo("UTC")
MORNING_HOUR = 9
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def timezone_for_country(country: str | None) -> ZoneInfo:
    """Return a representative zone for an ISO country code, or UTC when it is unknown."""
    name = _COUNTRY_ZONES.get((country or "").strip().upper())
    return ZoneInfo(name) if name else _UTC_ZONE


def knows_country(country: str | None) -> bool:
    """Return whether the country has a zone of its own (otherwise times are placed in UTC)."""
    return (country or "").strip().upper() in _COUNTRY_ZONES


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """Return the calendar date the customer sees at `moment`."""
    return moment.astimezone(tz).date()


def morning_on(day: date, tz: ZoneInfo, hour: int = MORNING_HOUR) -> datetime:
    """Return `hour`:00 local time on `day`, in UTC."""
    # A wall time inside a DST gap resolves with the pre-transition offset (PEP 495, fold=0), i.e. it
    # lands just after the gap; 09:00 is never in a gap in today's zones, so this only matters for
    # unusual hours.
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def next_local_morning(after: datetime, tz: ZoneInfo, hour: int = MORNING_HOUR) -> datetime:
    """Return the first `hour`:00 local time at or after `after`, in UTC."""
    day = local_date(after, tz)
    candidate = morning_on(day, tz, hour)
    while candidate < after:
        day += timedelta(days=1)
        candidate = morning_on(day, tz, hour)
    return candidate


def describe_local(moment: datetime, tz: ZoneInfo) -> str:
    """Return e.g. "Friday 1 Dec 09:00 customer time (Europe/Berlin)" for a reason line."""
    local = moment.astimezone(tz)
    # Names are spelled out here because strftime's %A/%b follow the process locale.
    stamp = (f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} "
             f"{local:%H:%M}")
    if tz.key == "UTC":
        return f"{stamp} UTC (customer's country unknown)"
    return f"{stamp} customer time ({tz.key})"
