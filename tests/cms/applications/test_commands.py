"""The beat jobs run by hand: thin commands over reminders and privacy."""

import datetime
from io import StringIO

import pytest

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cms.activities.models import ApplicationMode
from cms.applications import booking
from cms.applications.models import Application
from tests.factories import ActivityIndexPageFactory, ActivityPageFactory

pytestmark = pytest.mark.django_db


def run(name):
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def activity_on(home, day, slug):
    index = ActivityIndexPageFactory(parent=home, slug=f"{slug}-index")
    return ActivityPageFactory(
        parent=index,
        slug=slug,
        start_date=day,
        start_time=datetime.time(10, 0),
        capacity=5,
        application_mode=ApplicationMode.ONLINE,
    )


def test_reminders_are_sent_once_however_often_the_command_runs(
    home, django_capture_on_commit_callbacks
):
    tomorrow = activity_on(home, timezone.localdate() + datetime.timedelta(days=1), "tomorrow")
    booking.apply(
        tomorrow, name="電話 花子", email="hanako@example.com", channel=Application.Channel.OFFICE
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert run("send_application_reminders").strip() == "reminders queued: 1"
        assert run("send_application_reminders").strip() == "reminders queued: 0"
    assert [m.to for m in mail.outbox] == [["hanako@example.com"]]


def test_anonymising_by_hand_removes_old_applicants_and_keeps_the_count(home):
    old = activity_on(home, timezone.localdate() - datetime.timedelta(days=60), "long-ago")
    Application.objects.create(
        activity=old, name="昔 太郎", email="old@example.com", status=Application.Status.ATTENDED
    )

    output = run("anonymise_past_applications")

    application = Application.objects.get(activity=old)
    assert "anonymised 1" in output
    assert (application.name, application.email) == ("", "")
    assert application.status == Application.Status.ATTENDED
