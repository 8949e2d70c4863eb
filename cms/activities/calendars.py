"""Activities in residents' calendar apps: iCalendar files and Google Calendar links.

Times are written in Asia/Tokyo with its VTIMEZONE, so a calendar app set to
another time zone still puts 午後1時30分 at 13:30 Japan time; an activity
without a start time becomes an all-day entry.
"""

import datetime
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header

TOKYO = ZoneInfo("Asia/Tokyo")
GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"


def event_span(activity):
    """(start, end) of an activity as calendar apps take it.

    Aware Tokyo datetimes when the start time is known, `end` being None when
    a one-day activity has no end time; otherwise dates, the end exclusive
    (the day after the last day), as iCalendar all-day events are written.
    """
    if activity.start_time is None:
        return activity.start_date, activity.last_day + datetime.timedelta(days=1)
    start = activity.starts_at.astimezone(TOKYO)
    if activity.end_time is None and not activity.is_multi_day:
        return start, None
    end = activity.ends_at.astimezone(TOKYO)
    # An end before the start (data saved before validation) is dropped, not served.
    return start, end if end > start else None


def description(activity, url):
    return "\n\n".join(part for part in (activity.summary, url) if part)


def location(activity):
    """The venue and, for a facility, its address so map apps can find it."""
    address = activity.venue.full_address if activity.venue else ""
    return " ".join(part for part in (activity.venue_label, address) if part)


def public_page_url(page):
    """A page's absolute URL without a request (e-mails): its Site's root, or
    WAGTAILADMIN_BASE_URL while the Site still has Wagtail's placeholder
    (localhost), as the e-mailed links do (matching.tokens.public_url)."""
    parts = page.get_url_parts()
    if parts is None:
        return ""
    _site_id, root, path = parts
    if not root or urlsplit(root).hostname == "localhost":
        root = settings.WAGTAILADMIN_BASE_URL
    return root.rstrip("/") + path


def activity_event(activity, request=None):
    """The VEVENT of one activity. Its UID stays the same for the life of the page.

    Without a request (an e-mail task) the URLs are public_page_url's.
    """
    site_url = activity.get_full_url(request)
    url = site_url if request else public_page_url(activity)
    start, end = event_span(activity)
    # The UID names the Site's host either way: the e-mailed file and the
    # download are one entry in a calendar app.
    host = urlsplit(site_url or url).hostname
    return Event.new(
        uid=f"activity-{activity.pk}@{host}",
        stamp=activity.updated_at,
        last_modified=activity.updated_at,
        summary=activity.title,
        start=start,
        end=end,
        location=location(activity) or None,
        description=description(activity, url),
        url=url,
    )


def build_calendar(activities, *, name, address, request=None):
    """The iCalendar of `activities`; `address` is the file's own URL."""
    # The calendar's own address is its identity, so subscribers see one
    # calendar however often they refresh it.
    calendar = Calendar.new(
        prodid=f"-//{settings.WAGTAIL_SITE_NAME}//JA", name=name, uid=address, url=address
    )
    for activity in activities:
        calendar.add_component(activity_event(activity, request))
    calendar.add_missing_timezones()
    return calendar


def activity_ics(activity):
    """One activity's .ics as bytes, made without a request (applicants' e-mails).

    The same VEVENT, UID included, as the page's event.ics download, so a
    calendar app that has both keeps one entry.
    """
    address = public_page_url(activity) + activity.reverse_subpage("ical").rstrip("/")
    return build_calendar([activity], name=activity.title, address=address).to_ical()


def ical_response(request, activities, *, name, filename):
    """An .ics download of `activities`, for importing or subscribing."""
    calendar = build_calendar(
        activities, name=name, address=request.build_absolute_uri(request.path), request=request
    )
    return HttpResponse(
        calendar.to_ical(),
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def _google_date(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def google_calendar_url(activity, request):
    """A link that opens Google Calendar with the activity filled in; no script runs here."""
    start, end = event_span(activity)
    query = {
        "action": "TEMPLATE",
        "text": activity.title,
        "dates": f"{_google_date(start)}/{_google_date(end or start)}",
        "details": description(activity, activity.get_full_url(request)),
        "location": location(activity),
    }
    query = {key: value for key, value in query.items() if value}
    return f"{GOOGLE_CALENDAR_URL}?{urlencode(query, quote_via=quote)}"
