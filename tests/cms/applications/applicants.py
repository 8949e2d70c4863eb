"""Helpers of the applications tests: activities taking applications, the
form a resident fills in, the links in their e-mails."""

import datetime
import re

from django.core import mail
from django.urls import reverse

from cms.activities.models import ApplicationMode
from tests.factories import ActivityPageFactory

# A date far enough ahead that no test runs into the activity's start.
START = datetime.date(2030, 6, 10)


def online_activity(index, **overrides):
    """A published lecture that takes applications on this site."""
    fields = {
        "title": "防災講座",
        "start_date": START,
        "start_time": datetime.time(13, 30),
        "end_time": datetime.time(16, 0),
        "venue_text": "市役所 西棟会議室",
        "application_mode": ApplicationMode.ONLINE,
        "capacity": 2,
        **overrides,
    }
    page = ActivityPageFactory(parent=index, **fields)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def form_data(**overrides):
    return {
        "name": "武蔵野 花子",
        "name_kana": "むさしの はなこ",
        "email": "hanako@example.jp",
        "phone": "0422-00-0000",
        "note": "車いすで伺います",
        "consent": "on",
        "party_size": "1",
        **overrides,
    }


def link_in(message, kind):
    """The path of the `kind` (confirm, manage) link in an e-mail."""
    return re.search(rf"http://testserver(/applications/{kind}/[\w-]+/)", message.body).group(1)


def apply_and_confirm(post, activity, **data):
    """A resident applies and opens the confirmation link; returns the application."""
    response = post(reverse("applications_apply", args=[activity.pk]), form_data(**data))
    assert response.status_code == 302
    response = post(link_in(mail.outbox[-1], "confirm"))
    assert response.status_code == 200
    return activity.applications.get(email=data.get("email", "hanako@example.jp"))
