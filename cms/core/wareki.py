"""Japanese municipal date formatting (和暦).

Everything the portal shows to residents goes through this module so that dates,
times and fiscal years are written the way Musashino City's official documents
write them, e.g. ``令和6年(2024年)1月4日(木) 午後1時30分から4時まで``.

Standard library only: this module must stay importable without Django so it can
be used from templates, management commands and plain scripts alike.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "ERAS",
    "Era",
    "era_of",
    "era_year_label",
    "fiscal_year_bounds",
    "fiscal_year_of",
    "format_date",
    "format_event_datetime",
    "format_fiscal_year",
    "format_month",
    "format_month_day",
    "format_time",
    "format_time_range",
]


class Era(NamedTuple):
    """A Japanese era name and the Gregorian date on which it began."""

    name: str
    start: date


# Oldest first. Meiji begins on the day of the era change (1868-10-23); earlier
# dates were reckoned on the lunisolar calendar and are out of scope here.
ERAS: tuple[Era, ...] = (
    Era("明治", date(1868, 10, 23)),
    Era("大正", date(1912, 7, 30)),
    Era("昭和", date(1926, 12, 25)),
    Era("平成", date(1989, 1, 8)),
    Era("令和", date(2019, 5, 1)),
)

_ERA_NAMES = frozenset(era.name for era in ERAS)

# date.weekday(): Monday is 0.
_WEEKDAYS = "月火水木金土日"

try:
    _TOKYO: timezone | ZoneInfo = ZoneInfo("Asia/Tokyo")
except ZoneInfoNotFoundError:  # pragma: no cover - depends on the host's tz database
    # Hosts without a tz database (e.g. Windows without the tzdata package) would
    # otherwise crash on import; Japan has had no DST since 1951, so a fixed
    # +09:00 offset is exact for every date the portal deals with.
    _TOKYO = timezone(timedelta(hours=9), "JST")


def _local_date(d: date | datetime) -> date:
    # Aware datetimes typically come from the database in UTC; a resident cares
    # about the calendar day in Japan. Naive values are trusted as local already.
    if isinstance(d, datetime):
        if d.tzinfo is not None and d.utcoffset() is not None:
            d = d.astimezone(_TOKYO)
        return d.date()
    if isinstance(d, date):
        return d
    raise TypeError(f"expected a date or datetime, got {type(d).__name__}")


def era_of(d: date) -> tuple[str, int]:
    """Return the era name and era year for a date, e.g. ``("令和", 6)``.

    Aware datetimes are converted to Asia/Tokyo first; naive datetimes are used
    as they are. Raises ``ValueError`` for dates before the Meiji era
    (1868-10-23).
    """
    local = _local_date(d)
    for era in reversed(ERAS):
        if local >= era.start:
            return era.name, local.year - era.start.year + 1
    raise ValueError(
        f"{local.isoformat()} is before the Meiji era (began {ERAS[0].start.isoformat()}); "
        "Japanese era dates are not supported that far back"
    )


def era_year_label(name: str, year: int) -> str:
    """Return an era year as written in Japanese, e.g. ``"令和6年"``.

    The first year of an era is written 元年 (``"令和元年"``), never 1年.
    Raises ``ValueError`` for an unknown era name or a year below 1.
    """
    if name not in _ERA_NAMES:
        raise ValueError(f"unknown era name: {name!r}")
    if year < 1:
        raise ValueError(f"era year must be 1 or greater, got {year}")
    return f"{name}{'元' if year == 1 else year}年"


def format_date(d: date | datetime, *, weekday: bool = True, western: bool = True) -> str:
    """Format a date the municipal way: ``"令和6年(2024年)1月4日(木)"``.

    ``western=False`` omits the Gregorian year (``"令和6年1月4日(木)"``) and
    ``weekday=False`` omits the day of the week. Aware datetimes are converted to
    Asia/Tokyo before the date is taken; naive datetimes are used as they are.
    Raises ``ValueError`` for dates before the Meiji era.
    """
    local = _local_date(d)
    name, year = era_of(local)
    parts = [era_year_label(name, year)]
    if western:
        parts.append(f"({local.year}年)")
    parts.append(format_month_day(local, weekday=weekday))
    return "".join(parts)


def format_month_day(d: date | datetime, *, weekday: bool = True) -> str:
    """Format a date without its year, under a heading that gives it: ``"12月5日(土)"``.

    Aware datetimes are converted to Asia/Tokyo first.
    """
    local = _local_date(d)
    text = f"{local.month}月{local.day}日"
    if weekday:
        text += f"({_WEEKDAYS[local.weekday()]})"
    return text


def _clock(t: time) -> str:
    # Official Japanese 12-hour usage: 0:00 is 午前0時 and noon is 午後0時, so the
    # hour shown is always 0-11, never 12.
    text = f"{t.hour % 12}時"
    if t.minute:
        text += f"{t.minute}分"
    return text


def _half(t: time) -> str:
    return "午前" if t.hour < 12 else "午後"


def format_time(t: time) -> str:
    """Format a time in Japanese 12-hour style, e.g. ``"午後1時30分"``.

    Whole hours drop the minutes (``"午後1時"``); midnight is ``"午前0時"``,
    noon exactly is ``"正午"`` as city notices write it, and 12:30 is
    ``"午後0時30分"``. Seconds are ignored.
    """
    if _is_noon(t):
        return "正午"
    return _half(t) + _clock(t)


def _is_noon(t: time) -> bool:
    return t.hour == 12 and t.minute == 0


def format_time_range(start: time | None, end: time | None) -> str:
    """Format a time span: ``"午後1時30分から4時まで"``.

    The end omits 午前/午後 when it falls in the same half of the day as the
    start (``"午後6時30分から8時30分まで"``) and keeps it when the span crosses
    noon (``"午前10時から午後3時まで"``). Only a start gives ``"…から"``, only
    an end ``"…まで"``, neither an empty string.
    """
    if start is None and end is None:
        return ""
    if end is None:
        return f"{format_time(start)}から"
    if start is None:
        return f"{format_time(end)}まで"
    # An end earlier than the start (bad data or an overnight span) keeps its
    # marker: "午後3時から1時まで" would read as a nonsensical backwards range.
    # 正午 carries no 午前/午後, so an end after a noon start keeps its own.
    if _half(start) == _half(end) and end >= start and not _is_noon(start) and not _is_noon(end):
        end_text = _clock(end)
    else:
        end_text = format_time(end)
    return f"{format_time(start)}から{end_text}まで"


def format_event_datetime(
    start_date: date,
    start_time: time | None = None,
    end_time: time | None = None,
    end_date: date | None = None,
    *,
    western: bool = True,
) -> str:
    """Format when an activity takes place, on one line.

    Same day: ``"令和6年(2024年)1月4日(木) 午後1時30分から4時まで"``; a date
    with no times is just the date. When ``end_date`` differs from
    ``start_date`` both ends are written in full, each with its optional time:
    ``"令和6年(2024年)1月4日(木) 午前10時から令和6年(2024年)1月5日(金) 午後3時まで"``.
    ``western=False`` omits the Gregorian years. Raises ``ValueError`` if
    ``end_date`` is before ``start_date`` or a date is before the Meiji era.
    """
    first = _local_date(start_date)
    last = first if end_date is None else _local_date(end_date)
    if last < first:
        raise ValueError(f"end_date {last.isoformat()} is before start_date {first.isoformat()}")

    start_text = format_date(first, western=western)
    if last == first:
        times = format_time_range(start_time, end_time)
        return f"{start_text} {times}" if times else start_text

    # Across days each time belongs to its own date, so the end time always
    # keeps 午前/午後: dropping it is only unambiguous within a single day.
    if start_time is not None:
        start_text += f" {format_time(start_time)}"
    end_text = format_date(last, western=western)
    if end_time is not None:
        end_text += f" {format_time(end_time)}"
    return f"{start_text}から{end_text}まで"


def fiscal_year_of(d: date | datetime) -> int:
    """Return the Japanese fiscal year (年度, April to March) containing a date.

    2025-03-31 is in fiscal year 2024; 2025-04-01 in 2025. Aware datetimes are
    converted to Asia/Tokyo first; naive datetimes are used as they are.
    """
    local = _local_date(d)
    return local.year if local.month >= 4 else local.year - 1


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """Return the first and last day of fiscal year ``fy``: April 1 to March 31."""
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def _fiscal_era(fy: int) -> tuple[str, int]:
    # Administrations name a fiscal year after the newest era in force by its
    # last day, as long as the Western year `fy` itself falls inside that era
    # (era year >= 1): FY2019 is 令和元年度 even though April 2019 was still
    # Heisei, while FY1988 stays 昭和63年度 because 1988 would be Heisei year 0.
    _, last_day = fiscal_year_bounds(fy)
    for era in reversed(ERAS):
        era_year = fy - era.start.year + 1
        if era.start <= last_day and era_year >= 1:
            return era.name, era_year
    raise ValueError(
        f"fiscal year {fy} is before the Meiji era (began {ERAS[0].start.isoformat()})"
    )


def format_fiscal_year(fy: int, *, western: bool = True) -> str:
    """Format a fiscal year: ``"令和6年度(2024年度)"``, or ``"令和6年度"``.

    FY2019 is ``"令和元年度"`` (the era in force by the year's end, March 31,
    2020); FY1988 is ``"昭和63年度"``. Raises ``ValueError`` for fiscal years
    that end before the Meiji era.
    """
    name, year = _fiscal_era(fy)
    text = f"{era_year_label(name, year)}度"
    if western:
        text += f"({fy}年度)"
    return text


def format_month(year: int, month: int) -> str:
    """Format a calendar heading: ``"令和8年(2026年)12月"``.

    The era is the one in force on the first day of the month, so a month in
    which the era changes carries the outgoing era (1989-01 is 昭和64年).
    Raises ``ValueError`` for a month outside 1-12 or a month starting before
    the Meiji era.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"month must be in 1..12, got {month}")
    first = date(year, month, 1)
    name, era_year = era_of(first)
    return f"{era_year_label(name, era_year)}({year}年){month}月"
