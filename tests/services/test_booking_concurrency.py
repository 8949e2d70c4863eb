"""Simultaneous applications on PostgreSQL never overbook an activity.

Each thread has its own database connection and transaction, as two
requests served by two gunicorn workers would. Runs in `make test-services`.
"""

import datetime
import threading

import pytest

from django.conf import settings
from django.db import connection
from django.utils import timezone

from wagtail.models import Locale, Page

from cms.activities.models import ApplicationMode
from cms.applications import booking
from cms.applications.models import Application
from tests.factories import ActivityIndexPageFactory, ActivityPageFactory

Status = Application.Status
RESIDENTS = 8
CAPACITY = 3


@pytest.fixture
def activity(require_services, transactional_db):
    # transactional_db empties the tables: a page tree of our own.
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    index = ActivityIndexPageFactory(parent=root, slug="concurrency")
    return ActivityPageFactory(
        parent=index,
        title="人気の講座",
        start_date=timezone.localdate() + datetime.timedelta(days=7),
        capacity=CAPACITY,
        application_mode=ApplicationMode.ONLINE,
        keeps_waitlist=True,
    )


def at_once(count, work):
    """Run work(i) in `count` threads released together; re-raise any error."""
    barrier = threading.Barrier(count)
    errors = []

    def run(i):
        try:
            barrier.wait(timeout=30)
            work(i)
        except Exception as error:  # reported below, with the thread's number
            errors.append((i, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def test_simultaneous_confirmations_give_out_exactly_the_seats_there_are(activity):
    applications = [
        booking.apply(activity, name=f"住民{i}", email=f"r{i}@example.com")
        for i in range(RESIDENTS)
    ]

    at_once(RESIDENTS, lambda i: booking.confirm(Application.objects.get(pk=applications[i].pk)))

    mine = Application.objects.filter(activity=activity)
    statuses = list(mine.values_list("status", flat=True))
    assert statuses.count(Status.BOOKED) == CAPACITY
    assert statuses.count(Status.WAITLISTED) == RESIDENTS - CAPACITY
    assert activity.applications.holding_seats().people() == CAPACITY
    # The first served of those waiting gets the next free seat.
    first_waiting = activity.applications.waitlisted().first()
    booking.cancel(mine.filter(status=Status.BOOKED).first(), notify=False)
    first_waiting.refresh_from_db()
    assert first_waiting.status == Status.BOOKED
    assert activity.applications.holding_seats().people() == CAPACITY


def test_simultaneous_phone_applications_and_cancellations_keep_the_count_right(activity):
    seats = [
        booking.apply(activity, name=f"席{i}", phone="0422", channel=Application.Channel.OFFICE)
        for i in range(CAPACITY)
    ]

    def work(i):
        if i < CAPACITY:
            booking.cancel(Application.objects.get(pk=seats[i].pk), notify=False)
        else:
            booking.apply(
                activity, name=f"電話{i}", phone="0422", channel=Application.Channel.OFFICE
            )

    at_once(RESIDENTS, work)

    assert activity.applications.holding_seats().people() == CAPACITY
    assert activity.applications.filter(status=Status.CANCELLED).count() == CAPACITY
    assert activity.applications.filter(status=Status.WAITLISTED).count() == (
        RESIDENTS - CAPACITY - CAPACITY
    )
