"""Applicants' e-mails: what each says, the links, the attached .ics, and a
mail server that is down (the application is kept, and so is the mail)."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from cms.activities.calendars import public_page_url
from cms.applications import booking, links
from cms.applications.booking import Mail
from cms.applications.models import Application, ApplicationLink
from cms.applications.tasks import send_application_mail
from cms.infrastructure.models import PendingTask

from .applicants import form_data, link_in, online_activity

TOKYO = ZoneInfo("Asia/Tokyo")
Status = Application.Status


def calendar_of(message):
    (attachment,) = message.attachments
    name, content, mimetype = attachment
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def office_booking(activity, **details):
    """An application the office entered, with an address (a seat at once)."""
    fields = {"name": "武蔵野 花子", "email": "hanako@example.jp", "party_size": 1, **details}
    return booking.apply(activity, channel=Application.Channel.OFFICE, **fields)


def test_the_confirmation_mail_holds_a_link_and_nothing_the_sender_typed(post, activity):
    post(reverse("applications_apply", args=[activity.pk]), form_data(note="クリックしてね"))
    (message,) = mail.outbox
    assert activity.title in message.subject
    for typed in ("武蔵野 花子", "むさしの", "クリックしてね", "0422-00-0000"):
        assert typed not in message.body
    assert message.attachments == [], "no calendar entry before the seat is confirmed"
    assert "24" in message.body
    link = ApplicationLink.objects.get(application__activity=activity)
    lifetime = link.expires_at - link.created_at
    assert lifetime == datetime.timedelta(hours=24)
    assert link.digest not in message.body, "only the raw token travels"
    assert link_in(message, "confirm")


def test_the_booked_mail_carries_the_details_a_manage_link_and_the_event(index):
    activity = online_activity(index, max_party_size=2)
    application = office_booking(activity, party_size=2)
    assert send_application_mail(application.pk, Mail.BOOKED) == 1
    (message,) = mail.outbox
    body = message.body
    assert message.to == ["hanako@example.jp"]
    assert "武蔵野 花子" in body
    for detail in (activity.title, activity.when, "市役所 西棟会議室", public_page_url(activity)):
        assert detail in body
    assert str(application.get_status_display()) in body
    assert ngettext("%(n)s person", "%(n)s people", 2) % {"n": 2} in body
    assert link_in(message, "manage")

    calendar = calendar_of(message)
    (event,) = calendar.events
    assert event.start == datetime.datetime(2030, 6, 10, 13, 30, tzinfo=TOKYO)
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event.end == datetime.datetime(2030, 6, 10, 16, 0, tzinfo=TOKYO)
    assert event["SUMMARY"] == activity.title
    assert event["LOCATION"] == "市役所 西棟会議室"
    # The same entry as the page's own event.ics, so calendars keep one.
    download = Calendar.from_ical(_download(activity))
    assert event["UID"] == download.events[0]["UID"]


def _download(activity):
    from django.test import Client

    return Client().get(f"{activity.url}event.ics").content


def test_the_manage_link_in_a_mail_opens_the_applicant_s_page(client, activity):
    application = office_booking(activity)
    send_application_mail(application.pk, Mail.BOOKED)
    page = client.get(link_in(mail.outbox[0], "manage"))
    assert page.status_code == 200 and page.context["application"] == application
    link = ApplicationLink.objects.get(application=application)
    assert link.purpose == links.Purpose.MANAGE
    assert link.expires_at == activity.ends_at + datetime.timedelta(days=1)


def test_waiting_list_promotion_and_cancellation_mails_say_what_happened(index):
    activity = online_activity(index, capacity=1)
    first = office_booking(activity, email="first@example.jp")
    second = office_booking(activity, email="second@example.jp")
    assert second.status == Status.WAITLISTED
    send_application_mail(second.pk, Mail.WAITLISTED)
    waitlisted = mail.outbox[-1]
    assert waitlisted.to == ["second@example.jp"] and calendar_of(waitlisted)
    assert "1" in waitlisted.body and link_in(waitlisted, "manage")

    booking.cancel(first, notify=False)
    second.refresh_from_db()
    assert second.status == Status.BOOKED
    send_application_mail(second.pk, Mail.PROMOTED)
    promoted = mail.outbox[-1]
    assert promoted.subject != waitlisted.subject and calendar_of(promoted)
    assert link_in(promoted, "manage")

    send_application_mail(first.pk, Mail.CANCELLED)
    cancelled = mail.outbox[-1]
    assert cancelled.to == ["first@example.jp"] and activity.title in cancelled.body
    assert cancelled.attachments == [], "no calendar entry for a seat given up"
    assert "/applications/manage/" not in cancelled.body


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (Mail.BOOKED, Status.CANCELLED),
        (Mail.PROMOTED, Status.WAITLISTED),
        (Mail.CONFIRM, Status.BOOKED),
        (Mail.REMINDER, Status.CANCELLED),
        (Mail.CANCELLED, Status.BOOKED),
    ],
)
def test_a_mail_that_no_longer_fits_the_application_is_not_sent(activity, kind, status):
    application = office_booking(activity)
    Application.objects.filter(pk=application.pk).update(status=status)
    assert send_application_mail(application.pk, kind) == 0
    assert mail.outbox == [] and not ApplicationLink.objects.filter(application=application)


def test_no_mail_for_an_application_gone_anonymised_or_without_an_address(activity):
    assert send_application_mail(987654321, Mail.BOOKED) == 0
    without_address = office_booking(activity, email="")
    assert send_application_mail(without_address.pk, Mail.BOOKED) == 0
    anonymised = office_booking(activity, email="old@example.jp")
    Application.objects.filter(pk=anonymised.pk).update(anonymised_at=timezone.now())
    assert send_application_mail(anonymised.pk, Mail.BOOKED) == 0
    assert mail.outbox == []


def test_a_mail_server_that_is_down_loses_no_application_and_no_mail(
    client, post, activity, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.mail.BrokenEmailBackend"
    response = post(reverse("applications_apply", args=[activity.pk]), form_data())
    assert response.status_code == 302
    application = activity.applications.get()
    assert application.status == Status.UNCONFIRMED
    kept = PendingTask.objects.get()
    assert kept.task_name == "cms.applications.tasks.send_application_mail"
    assert kept.args == [application.pk, Mail.CONFIRM]
    assert "hanako" not in kept.last_error
    assert not ApplicationLink.objects.filter(application=application).exists(), (
        "a link never sent opens nothing"
    )

    # The server is back: the kept mail goes out on the next requeue, and works.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("requeue_pending_tasks", stdout=io.StringIO(), stderr=io.StringIO())
    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"] and not PendingTask.objects.exists()
    post(link_in(message, "confirm"))
    application.refresh_from_db()
    assert application.status == Status.BOOKED


def test_the_booked_mail_is_kept_too_when_the_server_fails_on_confirmation(
    post, activity, settings
):
    post(reverse("applications_apply", args=[activity.pk]), form_data())
    settings.EMAIL_BACKEND = "tests.mail.BrokenEmailBackend"
    response = post(link_in(mail.outbox[0], "confirm"))
    assert response.status_code == 200 and response.context["result"] == Status.BOOKED
    assert PendingTask.objects.get().args[1] == Mail.BOOKED
    assert not ApplicationLink.objects.filter(purpose=links.Purpose.MANAGE).exists()
