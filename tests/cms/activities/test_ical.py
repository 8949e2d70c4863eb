"""iCalendar files and the add-to-calendar links of activities."""

import datetime
import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from django.utils import timezone

from tests.factories import ActivityPageFactory

TOKYO = ZoneInfo("Asia/Tokyo")
pytestmark = pytest.mark.django_db


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content), response


def test_activity_file_has_tokyo_times_venue_and_link_back(client, index):
    page = ActivityPageFactory(
        parent=index,
        title="防災講座",
        summary="地域の防災を考えます。",
        start_date=datetime.date(2026, 12, 5),
        start_time=datetime.time(13, 30),
        end_time=datetime.time(16, 0),
        venue_text="市役所 西棟会議室",
    )
    page.save_revision().publish()
    page.refresh_from_db()

    calendar, response = download(client, f"{page.url}event.ics")

    assert response["Content-Disposition"] == f'attachment; filename="activity-{page.pk}.ics"'
    [event] = calendar.events
    assert event["SUMMARY"] == "防災講座"
    assert event.start == datetime.datetime(2026, 12, 5, 13, 30, tzinfo=TOKYO)
    assert event.end == datetime.datetime(2026, 12, 5, 16, 0, tzinfo=TOKYO)
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Tokyo"]
    assert event["LOCATION"] == "市役所 西棟会議室"
    assert event["URL"] == page.full_url
    assert "地域の防災を考えます。" in event["DESCRIPTION"]
    assert page.full_url in event["DESCRIPTION"]
    assert event.DTSTAMP == event.last_modified == page.last_published_at.replace(microsecond=0)


def test_activity_without_times_is_an_all_day_event(client, index):
    page = ActivityPageFactory(
        parent=index,
        start_date=datetime.date(2026, 12, 5),
        end_date=datetime.date(2026, 12, 7),
        start_time=None,
        end_time=None,
    )
    calendar, _ = download(client, f"{page.url}event.ics")
    [event] = calendar.events
    assert event.start == datetime.date(2026, 12, 5)
    # DTEND is exclusive: the day after the last day.
    assert event.end == datetime.date(2026, 12, 8)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert calendar.timezones == []


def test_uid_stays_the_same_when_the_activity_changes(client, index):
    page = ActivityPageFactory(parent=index)
    first, _ = download(client, f"{page.url}event.ics")
    page.title = "講座(会場変更)"
    page.save_revision().publish()
    second, _ = download(client, f"{page.url}event.ics")
    assert first.events[0]["UID"] == second.events[0]["UID"] == f"activity-{page.pk}@localhost"
    assert second.events[0]["SUMMARY"] == "講座(会場変更)"


def test_listing_file_has_upcoming_and_recent_activities_only(client, index):
    ActivityPageFactory(parent=index, title="来月の講座", slug="next", start_date=in_days(30))
    ActivityPageFactory(parent=index, title="先月の講座", slug="last", start_date=in_days(-30))
    ActivityPageFactory(parent=index, title="半年前の講座", slug="old", start_date=in_days(-180))

    calendar, response = download(client, f"{index.url}calendar.ics")

    assert response["Content-Disposition"] == 'attachment; filename="test-activities.ics"'
    titles = {str(event["SUMMARY"]) for event in calendar.events}
    assert titles == {"来月の講座", "先月の講座"}


def test_a_long_activity_that_ended_recently_stays_in_the_listing_file(client, index):
    ActivityPageFactory(
        parent=index, title="長期展示", start_date=in_days(-200), end_date=in_days(-10)
    )
    calendar, _ = download(client, f"{index.url}calendar.ics")
    assert [str(event["SUMMARY"]) for event in calendar.events] == ["長期展示"]


def test_index_links_to_its_calendar_file(client, index):
    assert f'href="{index.url}calendar.ics"' in client.get(index.url).content.decode()


def google_link(html):
    match = re.search(r'href="(https://calendar\.google\.com/calendar/render\?[^"]+)"', html)
    assert match, "no Google Calendar link"
    return parse_qs(urlsplit(html_lib.unescape(match.group(1))).query)


def test_upcoming_activity_offers_ics_and_google_calendar_in_utc(client, index):
    day = in_days(10)
    page = ActivityPageFactory(
        parent=index,
        title="防災講座",
        start_date=day,
        start_time=datetime.time(13, 30),
        end_time=datetime.time(16, 0),
        venue_text="市役所 西棟会議室",
    )
    html = client.get(page.url).content.decode()

    assert f'href="{page.url}event.ics"' in html
    query = google_link(html)
    ymd = day.strftime("%Y%m%d")
    # 13:30 and 16:00 in Tokyo are 04:30 and 07:00 UTC on the same day.
    assert query["dates"] == [f"{ymd}T043000Z/{ymd}T070000Z"]
    assert query["text"] == ["防災講座"]
    assert query["location"] == ["市役所 西棟会議室"]
    assert page.full_url in query["details"][0]


def test_google_calendar_all_day_dates_end_the_day_after(client, index):
    page = ActivityPageFactory(parent=index, start_date=in_days(3), start_time=None, end_time=None)
    query = google_link(client.get(page.url).content.decode())
    start, end = in_days(3).strftime("%Y%m%d"), in_days(4).strftime("%Y%m%d")
    assert query["dates"] == [f"{start}/{end}"]


def test_ended_activity_offers_no_add_to_calendar_links(client, index):
    page = ActivityPageFactory(parent=index, start_date=in_days(-3))
    html = client.get(page.url).content.decode()
    assert "calendar.google.com" not in html
    assert "event.ics" not in html
