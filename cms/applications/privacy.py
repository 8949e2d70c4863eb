"""Applicants' personal data (個人情報保護法), as matching/privacy.py does for
residents' profiles:

- APPLICATION_RETENTION_DAYS after an activity ends, its applications keep
  only their status and number of people, which the plan's yearly review
  counts; names, contact details, answers and messages go, with the
  applications' links and kept e-mail tasks (`anonymise_past`, daily from
  Celery beat). Web applications never confirmed within
  APPLICATION_CONFIRM_HOURS hold no seat and are deleted outright;
- residents see, download and delete their applications in 登録内容の確認・
  削除 (matching/my_data_views.py), found by their address's digest
  (`applications_of`, `export`, `forget`);
- each removal is one line in the access log (matching.privacy.log_access).
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from matching.models import PersonalDataAccess
from matching.privacy import forget_mentions_of, log_access

from . import booking, links
from .models import Application, ApplicationLink

Action = PersonalDataAccess.Action
RECORD_TYPE = "application"
# Kept tasks whose first argument is an application's id (tasks.py).
TASKS_BY_APPLICATION = ("cms.applications.tasks.send_application_mail",)
# Search queries are compared with this many applications' details at a time.
MENTIONS_BATCH = 100


def applications_of(address_digest):
    """The applications made with an address (by matching.models.email_digest)
    that still hold personal data, oldest first."""
    if not address_digest:  # office entries without an address share ""
        return Application.objects.none()
    return (
        Application.objects.filter(email_digest=address_digest, anonymised_at__isnull=True)
        .select_related("activity")
        .order_by("created_at", "pk")
    )


def _when(value):
    return timezone.localtime(value).isoformat() if value else None


def export(applications):
    """The applications as 登録内容の確認・削除 shows and downloads them."""
    return [
        {
            "activity": application.activity.title,
            "activity_date": application.activity.when,
            "activity_starts_at": _when(application.activity.starts_at),
            "status": str(application.get_status_display()),
            "number_of_people": application.party_size,
            "name": application.name,
            "name_kana": application.name_kana,
            "email": application.email,
            "phone": application.phone,
            "answers": [
                {"question": item.get("question", ""), "answer": item.get("answer", "")}
                for item in application.answers or []
            ],
            "message_to_the_organiser": application.note,
            "applied_through": str(application.get_channel_display()),
            "answer_to_the_reminder": str(application.get_reply_display()),
            "consented_at": _when(application.consented_at),
            "applied_at": _when(application.created_at),
            "confirmed_at": _when(application.confirmed_at),
            "cancelled_at": _when(application.cancelled_at),
        }
        for application in applications
    ]


def _forget_kept_tasks(ids):
    from cms.infrastructure.models import PendingTask

    ids = set(ids)
    kept = PendingTask.objects.filter(task_name__in=TASKS_BY_APPLICATION).only("pk", "args")
    PendingTask.objects.filter(
        pk__in=[task.pk for task in kept if task.args[:1] and task.args[0] in ids]
    ).delete()


def _forget_log_data(ids):
    """Wagtail's log names an application by number (Application.__str__);
    what an entry's data may hold goes."""
    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Application),
        object_id__in=[str(pk) for pk in ids],
    ).update(data={})


def forget_traces(ids):
    """What else names these applications goes: their kept e-mail tasks and
    the data of their log entries (on deletion and on anonymisation)."""
    _forget_kept_tasks(ids)
    _forget_log_data(ids)


def _forget_mentions(applications):
    """Stored searches and access-log details that name these applicants."""
    details = list(applications.values_list("name", "name_kana", "email", "phone"))
    for start in range(0, len(details), MENTIONS_BATCH):
        batch = details[start : start + MENTIONS_BATCH]
        forget_mentions_of([value for row in batch for value in row if value])


def _anonymise(ids, action, user=None, now=None):
    """Remove the personal data of these applications, keeping their status
    and number of people; log it. Returns how many there were."""
    if not ids:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        applications = Application.objects.filter(pk__in=ids)
        _forget_mentions(applications)
        applications.update(
            name="",
            name_kana="",
            email="",
            email_digest="",
            phone="",
            answers=[],
            note="",
            anonymised_at=now,
            updated_at=now,
        )
        ApplicationLink.objects.filter(application__in=ids).delete()
        forget_traces(ids)
        log_access(action, RECORD_TYPE, ids, user=user)
    return len(ids)


def cancelled_by_forgetting(application, now=None):
    """True when `forget` cancels the application: it still holds a seat, a
    place on the waiting list or awaits confirmation, for an activity that
    has not started. (Not on the waiting list either: an application without
    an address would take a seat nobody comes for.)"""
    return application.status != Application.Status.CANCELLED and (
        (now or timezone.now()) < application.activity.starts_at
    )


def forget(applications, user=None, action=Action.RESIDENT_DELETED, now=None):
    """The resident deleted their data: applications for activities that have
    not started are cancelled (a freed seat goes to the waiting list, whose
    first person is e-mailed), then every one loses its personal data. The
    rows stay, so the office's and the plan's numbers do not change.
    Returns how many were anonymised."""
    now = now or timezone.now()
    applications = [a for a in applications if not a.is_anonymised]
    with transaction.atomic():
        for application in applications:
            if cancelled_by_forgetting(application, now):
                booking.cancel(application, now=now, notify=False)
        return _anonymise([a.pk for a in applications], action, user=user, now=now)


def anonymise_past(now=None):
    """Daily: applications of activities that ended APPLICATION_RETENTION_DAYS
    ago or more keep only their status and number of people; unconfirmed web
    applications older than APPLICATION_CONFIRM_HOURS are deleted; expired
    links go. Returns the counts."""
    from cms.activities.models import ActivityPage

    now = now or timezone.now()
    retention = datetime.timedelta(days=settings.APPLICATION_RETENTION_DAYS)
    ended = ActivityPage.objects.past(now - retention).order_by().values("pk")
    due = Application.objects.filter(activity__in=ended, anonymised_at__isnull=True)
    anonymised = _anonymise(list(due.values_list("pk", flat=True)), Action.PURGED, now=now)

    unconfirmed = Application.objects.filter(
        status=Application.Status.UNCONFIRMED,
        channel=Application.Channel.WEB,
        created_at__lt=now - datetime.timedelta(hours=settings.APPLICATION_CONFIRM_HOURS),
    )
    ids = list(unconfirmed.values_list("pk", flat=True))
    if ids:
        with transaction.atomic():
            _forget_mentions(Application.objects.filter(pk__in=ids))
            log_access(Action.PURGED, RECORD_TYPE, ids, detail="unconfirmed")
            # Their links cascade; kept tasks and log data go in signal_handlers.
            Application.objects.filter(pk__in=ids).delete()
    return {
        "anonymised": anonymised,
        "unconfirmed_deleted": len(ids),
        "links_deleted": links.purge(now),
    }
