"""Reminders before an activity (「参加します / 参加できなくなりました」).

Celery beat runs send_due_reminders hourly; each applicant gets one
reminder, however often it runs, because reminder_sent_at is set in the
same transaction that queues the mail.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cms.infrastructure.queue import send_on_commit

from .booking import Mail
from .models import Application
from .tasks import send_application_mail


def due_reminders(now=None):
    """Booked applications whose live activity starts within
    APPLICATION_REMINDER_DAYS and has not started, not yet reminded."""
    now = now or timezone.now()
    until = now + datetime.timedelta(days=settings.APPLICATION_REMINDER_DAYS)
    candidates = (
        Application.objects.filter(
            status=Application.Status.BOOKED,
            reminder_sent_at__isnull=True,
            anonymised_at__isnull=True,
            activity__live=True,
            # A day either side in dates; the times are compared below.
            activity__start_date__gte=timezone.localdate(now),
            activity__start_date__lte=timezone.localtime(until).date(),
        )
        .exclude(email="")
        .select_related("activity")
    )
    return [a for a in candidates if now < a.activity.starts_at <= until]


def send_due_reminders(now=None):
    """Queue the reminder of each due application once; returns how many."""
    now = now or timezone.now()
    queued = 0
    for application in due_reminders(now):
        with transaction.atomic():
            # Two beat runs at once: only the one that sets the time queues the mail.
            claimed = Application.objects.filter(
                pk=application.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now, updated_at=now)
            if claimed:
                send_on_commit(send_application_mail, application.pk, Mail.REMINDER)
                queued += claimed
    return queued
