"""Reminders before an activity: once, to booked applicants only, within
APPLICATION_REMINDER_DAYS; their 「参加します / 参加できなくなりました」 links."""

import datetime
import re

import pytest

from django.core import mail
from django.utils import timezone

from cms.applications import booking
from cms.applications.models import Application
from cms.applications.reminders import due_reminders, send_due_reminders
from cms.applications.tasks import send_reminders

from .applicants import online_activity

Status = Application.Status


def at(activity, **delta):
    """A moment relative to the activity's start."""
    return activity.starts_at + datetime.timedelta(**delta)


def applicant(activity, email, status=Status.BOOKED):
    application = booking.apply(
        activity, channel=Application.Channel.OFFICE, name="花子", email=email
    )
    Application.objects.filter(pk=application.pk).update(status=status)
    return application


def run(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return send_due_reminders(now)


@pytest.fixture
def lecture(index):
    return online_activity(index, capacity=10)


def test_booked_applicants_are_reminded_once_within_the_window(
    lecture, django_capture_on_commit_callbacks, settings
):
    assert settings.APPLICATION_REMINDER_DAYS == 2
    booked = applicant(lecture, "booked@example.jp")
    for status in (Status.WAITLISTED, Status.CANCELLED, Status.UNCONFIRMED, Status.ATTENDED):
        applicant(lecture, f"{status}@example.jp", status)
    applicant(lecture, "", Status.BOOKED)  # entered by the office, no address

    # Three days before: too early.
    assert run(at(lecture, days=-3), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []

    # Two days before, and again an hour later (beat runs hourly): one reminder.
    assert run(at(lecture, days=-2), django_capture_on_commit_callbacks) == 1
    assert run(at(lecture, days=-2, hours=1), django_capture_on_commit_callbacks) == 0
    (message,) = mail.outbox
    assert message.to == ["booked@example.jp"] and lecture.title in message.subject
    booked.refresh_from_db()
    assert booked.reminder_sent_at == at(lecture, days=-2)
    # The activity itself and its calendar entry come with it.
    assert lecture.when in message.body
    assert message.attachments[0][2].startswith("text/calendar")


def test_an_activity_that_has_started_gets_no_reminder(lecture, django_capture_on_commit_callbacks):
    applicant(lecture, "late@example.jp")
    assert run(at(lecture, minutes=1), django_capture_on_commit_callbacks) == 0
    assert due_reminders(at(lecture, hours=-1)), "an hour before it still would"


def test_an_unpublished_activity_gets_no_reminder(lecture, django_capture_on_commit_callbacks):
    applicant(lecture, "booked@example.jp")
    lecture.unpublish()
    assert run(at(lecture, days=-1), django_capture_on_commit_callbacks) == 0


def test_the_beat_task_sends_what_is_due_now(index, django_capture_on_commit_callbacks):
    soon = timezone.localtime() + datetime.timedelta(days=1)
    tomorrow = online_activity(index, start_date=soon.date(), start_time=None, end_time=None)
    later = online_activity(index, start_date=soon.date() + datetime.timedelta(days=5))
    applicant(tomorrow, "tomorrow@example.jp")
    applicant(later, "later@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.apply().get() == 1
    assert [m.to for m in mail.outbox] == [["tomorrow@example.jp"]]


def test_the_reminder_links_answer_coming_or_cancel_and_free_the_seat(
    client, post, index, django_capture_on_commit_callbacks
):
    lecture = online_activity(index, capacity=1)
    coming = applicant(lecture, "coming@example.jp")
    waiting = applicant(lecture, "waiting@example.jp", Status.WAITLISTED)
    Application.objects.filter(pk=waiting.pk).update(waitlisted_at=timezone.now())
    run(at(lecture, days=-1), django_capture_on_commit_callbacks)
    (reminder,) = mail.outbox
    yes, no = re.findall(
        r"http://testserver(/applications/manage/[\w-]+/\?answer=[\w-]+)", reminder.body
    )
    assert yes.endswith("answer=coming") and no.endswith("answer=not-coming")

    # Opening either link changes nothing; the page shows which button it meant.
    page = client.get(no)
    assert page.status_code == 200 and page.context["answer"] == "not-coming"
    coming.refresh_from_db()
    assert coming.status == Status.BOOKED and coming.reply == ""

    post(yes.split("?")[0], {"action": "coming"})
    coming.refresh_from_db()
    assert coming.reply == Application.Reply.COMING and coming.status == Status.BOOKED

    # Changing one's mind later: the other link cancels, and the seat goes on.
    response = post(no.split("?")[0], {"action": "cancel"})
    assert response.context["done"] == "cancelled"
    coming.refresh_from_db()
    waiting.refresh_from_db()
    assert coming.status == Status.CANCELLED and coming.reply == Application.Reply.NOT_COMING
    assert waiting.status == Status.BOOKED
    assert {m.to[0] for m in mail.outbox[1:]} == {"coming@example.jp", "waiting@example.jp"}
