"""Tests for cms.core.wareki: Japanese municipal date, time and fiscal-year formatting."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from cms.core.wareki import (
    ERAS,
    era_of,
    era_year_label,
    fiscal_year_bounds,
    fiscal_year_of,
    format_date,
    format_event_datetime,
    format_fiscal_year,
    format_month,
    format_month_day,
    format_time,
    format_time_range,
)

EST = timezone(timedelta(hours=-5))


# --- era_of -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(1868, 10, 23), ("明治", 1)),
        (date(1868, 12, 31), ("明治", 1)),
        (date(1869, 1, 1), ("明治", 2)),
        (date(1912, 7, 29), ("明治", 45)),
        (date(1912, 7, 30), ("大正", 1)),
        (date(1926, 12, 24), ("大正", 15)),
        (date(1926, 12, 25), ("昭和", 1)),
        (date(1927, 1, 1), ("昭和", 2)),
        (date(1989, 1, 7), ("昭和", 64)),
        (date(1989, 1, 8), ("平成", 1)),
        (date(2012, 6, 27), ("平成", 24)),
        (date(2019, 4, 30), ("平成", 31)),
        (date(2019, 5, 1), ("令和", 1)),
        (date(2020, 1, 1), ("令和", 2)),
        (date(2024, 1, 4), ("令和", 6)),
        (date(2026, 12, 31), ("令和", 8)),
    ],
)
def test_era_of(d, expected):
    assert era_of(d) == expected


def test_era_of_aware_datetime_uses_tokyo_day():
    # 2019-04-30 15:00 UTC is 2019-05-01 00:00 in Tokyo: already Reiwa.
    assert era_of(datetime(2019, 4, 30, 15, 0, tzinfo=UTC)) == ("令和", 1)
    assert era_of(datetime(2019, 4, 30, 14, 59, tzinfo=UTC)) == ("平成", 31)


@pytest.mark.parametrize("d", [date(1868, 10, 22), date(1800, 1, 1), date(1, 1, 1)])
def test_era_of_before_meiji_raises(d):
    with pytest.raises(ValueError, match="before the Meiji era"):
        era_of(d)


def test_eras_are_in_chronological_order():
    starts = [era.start for era in ERAS]
    assert starts == sorted(starts)
    assert [era.name for era in ERAS] == ["明治", "大正", "昭和", "平成", "令和"]


# --- era_year_label -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "year", "expected"),
    [
        ("令和", 1, "令和元年"),
        ("令和", 2, "令和2年"),
        ("令和", 6, "令和6年"),
        ("平成", 1, "平成元年"),
        ("平成", 31, "平成31年"),
        ("昭和", 64, "昭和64年"),
        ("明治", 1, "明治元年"),
        ("大正", 10, "大正10年"),
    ],
)
def test_era_year_label(name, year, expected):
    assert era_year_label(name, year) == expected


@pytest.mark.parametrize(("name", "year"), [("令和", 0), ("令和", -1), ("慶応", 1), ("", 3)])
def test_era_year_label_invalid(name, year):
    with pytest.raises(ValueError):
        era_year_label(name, year)


# --- format_date --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2019, 4, 30), "平成31年(2019年)4月30日(火)"),
        (date(2019, 5, 1), "令和元年(2019年)5月1日(水)"),
        (date(1989, 1, 7), "昭和64年(1989年)1月7日(土)"),
        (date(1989, 1, 8), "平成元年(1989年)1月8日(日)"),
        (date(2024, 1, 4), "令和6年(2024年)1月4日(木)"),
        (date(2012, 6, 27), "平成24年(2012年)6月27日(水)"),
        (date(1868, 10, 23), "明治元年(1868年)10月23日(金)"),
        (date(1912, 7, 30), "大正元年(1912年)7月30日(火)"),
        (date(1926, 12, 25), "昭和元年(1926年)12月25日(土)"),
        (date(2024, 12, 31), "令和6年(2024年)12月31日(火)"),
    ],
)
def test_format_date_default(d, expected):
    assert format_date(d) == expected


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2024, 1, 1), "令和6年(2024年)1月1日(月)"),
        (date(2024, 1, 2), "令和6年(2024年)1月2日(火)"),
        (date(2024, 1, 3), "令和6年(2024年)1月3日(水)"),
        (date(2024, 1, 4), "令和6年(2024年)1月4日(木)"),
        (date(2024, 1, 5), "令和6年(2024年)1月5日(金)"),
        (date(2024, 1, 6), "令和6年(2024年)1月6日(土)"),
        (date(2024, 1, 7), "令和6年(2024年)1月7日(日)"),
    ],
)
def test_format_date_every_weekday(d, expected):
    assert format_date(d) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "令和6年(2024年)1月4日(木)"),
        ({"western": False}, "令和6年1月4日(木)"),
        ({"weekday": False}, "令和6年(2024年)1月4日"),
        ({"weekday": False, "western": False}, "令和6年1月4日"),
    ],
)
def test_format_date_options(kwargs, expected):
    assert format_date(date(2024, 1, 4), **kwargs) == expected


def test_format_date_western_false_first_year():
    assert format_date(date(2019, 5, 1), western=False) == "令和元年5月1日(水)"


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        # Naive datetimes are taken as-is, however late in the day.
        (datetime(2024, 1, 4, 23, 59), "令和6年(2024年)1月4日(木)"),
        (datetime(2024, 1, 4, 0, 0), "令和6年(2024年)1月4日(木)"),
        # 2024-01-04 15:00 UTC is 2024-01-05 00:00 JST.
        (datetime(2024, 1, 4, 15, 0, tzinfo=UTC), "令和6年(2024年)1月5日(金)"),
        (datetime(2024, 1, 4, 14, 59, tzinfo=UTC), "令和6年(2024年)1月4日(木)"),
        # 2024-01-04 10:00 EST is 2024-01-05 00:00 JST.
        (datetime(2024, 1, 4, 10, 0, tzinfo=EST), "令和6年(2024年)1月5日(金)"),
        # Era boundary crossed only by the time-zone conversion.
        (datetime(2019, 4, 30, 15, 0, tzinfo=UTC), "令和元年(2019年)5月1日(水)"),
        (datetime(1989, 1, 7, 15, 0, tzinfo=UTC), "平成元年(1989年)1月8日(日)"),
    ],
)
def test_format_date_datetimes(dt, expected):
    assert format_date(dt) == expected


def test_format_date_before_meiji_raises():
    with pytest.raises(ValueError, match="Meiji"):
        format_date(date(1868, 10, 22))


def test_format_date_rejects_non_dates():
    with pytest.raises(TypeError):
        format_date("2024-01-04")


# --- format_time --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (time(13, 30), "午後1時30分"),
        (time(13, 0), "午後1時"),
        (time(9, 5), "午前9時5分"),
        (time(0, 0), "午前0時"),
        (time(0, 1), "午前0時1分"),
        (time(11, 59), "午前11時59分"),
        (time(12, 0), "正午"),
        (time(12, 30), "午後0時30分"),
        (time(18, 30), "午後6時30分"),
        (time(23, 59), "午後11時59分"),
        (time(10, 0, 45), "午前10時"),
    ],
)
def test_format_time(t, expected):
    assert format_time(t) == expected


# --- format_time_range --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (time(13, 30), time(16, 0), "午後1時30分から4時まで"),
        (time(10, 0), time(15, 0), "午前10時から午後3時まで"),
        (time(18, 30), time(20, 30), "午後6時30分から8時30分まで"),
        (time(9, 0), time(11, 30), "午前9時から11時30分まで"),
        (time(10, 0), time(12, 0), "午前10時から正午まで"),
        (time(12, 0), time(13, 0), "正午から午後1時まで"),
        (time(0, 0), time(6, 0), "午前0時から6時まで"),
        (time(11, 59), time(12, 0), "午前11時59分から正午まで"),
        (time(14, 0), time(14, 0), "午後2時から2時まで"),
        # A backwards span keeps the end's marker rather than reading as a valid range.
        (time(15, 0), time(13, 0), "午後3時から午後1時まで"),
        (time(13, 30), None, "午後1時30分から"),
        (None, time(16, 0), "午後4時まで"),
        (None, time(9, 0), "午前9時まで"),
        (None, None, ""),
    ],
)
def test_format_time_range(start, end, expected):
    assert format_time_range(start, end) == expected


# --- format_event_datetime ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((date(2024, 1, 4),), "令和6年(2024年)1月4日(木)"),
        (
            (date(2024, 1, 4), time(13, 30), time(16, 0)),
            "令和6年(2024年)1月4日(木) 午後1時30分から4時まで",
        ),
        (
            (date(2024, 1, 4), time(10, 0), time(15, 0)),
            "令和6年(2024年)1月4日(木) 午前10時から午後3時まで",
        ),
        ((date(2024, 1, 4), time(13, 30)), "令和6年(2024年)1月4日(木) 午後1時30分から"),
        ((date(2024, 1, 4), None, time(16, 0)), "令和6年(2024年)1月4日(木) 午後4時まで"),
        # An end_date equal to the start date is a single-day event.
        (
            (date(2024, 1, 4), time(13, 30), time(16, 0), date(2024, 1, 4)),
            "令和6年(2024年)1月4日(木) 午後1時30分から4時まで",
        ),
        ((date(2024, 1, 4), None, None, date(2024, 1, 4)), "令和6年(2024年)1月4日(木)"),
    ],
)
def test_format_event_datetime_single_day(args, expected):
    assert format_event_datetime(*args) == expected


@pytest.mark.parametrize(
    ("start_time", "end_time", "expected"),
    [
        (
            time(10, 0),
            time(15, 0),
            "令和6年(2024年)1月4日(木) 午前10時から令和6年(2024年)1月5日(金) 午後3時まで",
        ),
        # Across days the end keeps 午前/午後 even in the same half of the day.
        (
            time(13, 0),
            time(16, 0),
            "令和6年(2024年)1月4日(木) 午後1時から令和6年(2024年)1月5日(金) 午後4時まで",
        ),
        (None, None, "令和6年(2024年)1月4日(木)から令和6年(2024年)1月5日(金)まで"),
        (
            time(10, 0),
            None,
            "令和6年(2024年)1月4日(木) 午前10時から令和6年(2024年)1月5日(金)まで",
        ),
        (
            None,
            time(15, 0),
            "令和6年(2024年)1月4日(木)から令和6年(2024年)1月5日(金) 午後3時まで",
        ),
    ],
)
def test_format_event_datetime_multi_day(start_time, end_time, expected):
    result = format_event_datetime(date(2024, 1, 4), start_time, end_time, date(2024, 1, 5))
    assert result == expected


def test_format_event_datetime_across_era_change():
    result = format_event_datetime(date(2019, 4, 30), None, None, date(2019, 5, 1))
    assert result == "平成31年(2019年)4月30日(火)から令和元年(2019年)5月1日(水)まで"


def test_format_event_datetime_keyword_arguments_and_western_false():
    result = format_event_datetime(
        start_date=date(2024, 1, 4),
        start_time=time(13, 30),
        end_time=time(16, 0),
        western=False,
    )
    assert result == "令和6年1月4日(木) 午後1時30分から4時まで"


def test_format_event_datetime_end_before_start_raises():
    with pytest.raises(ValueError, match="before start_date"):
        format_event_datetime(date(2024, 1, 5), end_date=date(2024, 1, 4))


def test_format_event_datetime_before_meiji_raises():
    with pytest.raises(ValueError, match="Meiji"):
        format_event_datetime(date(1868, 1, 1), time(10, 0))


# --- fiscal_year_of -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 3, 31), 2024),
        (date(2025, 4, 1), 2025),
        (date(2025, 1, 1), 2024),
        (date(2024, 12, 31), 2024),
        (date(2024, 4, 1), 2024),
        (date(2019, 4, 30), 2019),
        (date(2020, 3, 31), 2019),
        (datetime(2025, 3, 31, 23, 59), 2024),
        # 2025-03-31T15:30Z is 2025-04-01 00:30 JST.
        (datetime(2025, 3, 31, 15, 30, tzinfo=UTC), 2025),
        (datetime(2025, 3, 31, 14, 59, tzinfo=UTC), 2024),
        # 2025-03-31 10:00 EST is 2025-04-01 00:00 JST.
        (datetime(2025, 3, 31, 10, 0, tzinfo=EST), 2025),
    ],
)
def test_fiscal_year_of(d, expected):
    assert fiscal_year_of(d) == expected


# --- fiscal_year_bounds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fy", "expected"),
    [
        (2024, (date(2024, 4, 1), date(2025, 3, 31))),
        (2019, (date(2019, 4, 1), date(2020, 3, 31))),
        (1988, (date(1988, 4, 1), date(1989, 3, 31))),
    ],
)
def test_fiscal_year_bounds(fy, expected):
    assert fiscal_year_bounds(fy) == expected


@pytest.mark.parametrize("fy", [2019, 2024, 2025])
def test_fiscal_year_bounds_round_trip(fy):
    first, last = fiscal_year_bounds(fy)
    assert fiscal_year_of(first) == fy
    assert fiscal_year_of(last) == fy
    assert fiscal_year_of(first - timedelta(days=1)) == fy - 1
    assert fiscal_year_of(last + timedelta(days=1)) == fy + 1


# --- format_fiscal_year -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fy", "expected"),
    [
        (2019, "令和元年度(2019年度)"),
        (2018, "平成30年度(2018年度)"),
        (1988, "昭和63年度(1988年度)"),
        (1989, "平成元年度(1989年度)"),
        (2012, "平成24年度(2012年度)"),
        (2024, "令和6年度(2024年度)"),
        (2025, "令和7年度(2025年度)"),
        (2020, "令和2年度(2020年度)"),
        (1926, "昭和元年度(1926年度)"),
        (1925, "大正14年度(1925年度)"),
        (1912, "大正元年度(1912年度)"),
        (1911, "明治44年度(1911年度)"),
        (1868, "明治元年度(1868年度)"),
    ],
)
def test_format_fiscal_year(fy, expected):
    assert format_fiscal_year(fy) == expected


@pytest.mark.parametrize(
    ("fy", "expected"),
    [(2024, "令和6年度"), (2019, "令和元年度"), (2018, "平成30年度"), (1988, "昭和63年度")],
)
def test_format_fiscal_year_without_western(fy, expected):
    assert format_fiscal_year(fy, western=False) == expected


def test_format_fiscal_year_before_meiji_raises():
    with pytest.raises(ValueError, match="Meiji"):
        format_fiscal_year(1867)


# --- format_month -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 12, "令和8年(2026年)12月"),
        (2024, 1, "令和6年(2024年)1月"),
        (2019, 4, "平成31年(2019年)4月"),
        (2019, 5, "令和元年(2019年)5月"),
        (1989, 2, "平成元年(1989年)2月"),
        # The era in force on the 1st names a month in which the era changes.
        (1989, 1, "昭和64年(1989年)1月"),
        (2019, 12, "令和元年(2019年)12月"),
    ],
)
def test_format_month(year, month, expected):
    assert format_month(year, month) == expected


@pytest.mark.parametrize(("year", "month"), [(2024, 13), (2024, 0), (2024, -1)])
def test_format_month_invalid_month_raises(year, month):
    with pytest.raises(ValueError, match="month"):
        format_month(year, month)


def test_format_month_before_meiji_raises():
    with pytest.raises(ValueError, match="Meiji"):
        format_month(1868, 9)


# --- format_month_day ---------------------------------------------------------------------


def test_format_month_day_for_a_heading_that_gives_the_year():
    assert format_month_day(date(2026, 12, 5)) == "12月5日(土)"
    assert format_month_day(date(2026, 12, 5), weekday=False) == "12月5日"


def test_format_month_day_takes_the_tokyo_day():
    assert format_month_day(datetime(2026, 12, 4, 15, 30, tzinfo=UTC)) == "12月5日(土)"
