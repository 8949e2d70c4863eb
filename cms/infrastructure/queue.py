"""Handing work to Celery without losing it when Redis is down.

Every background job of the site (e-mails to residents and the office,
Wagtail's search and reference index updates) goes through `send_on_commit`:

1. once the data that asked for it is committed, the job goes to the broker;
2. if the broker cannot take it, the job runs here and now, in the request;
3. if that fails too (say the mail server is also down), the job is written
   to the database (`PendingTask`) and `requeue_pending_tasks` (Celery beat,
   every few minutes, or the management command) sends it again later.

So a resident's form, an editor's publish and a coordinator's decision
succeed and keep their follow-up work whatever state Redis is in.
"""

import logging

from django.db import transaction

from cms.celery import app as celery_app

logger = logging.getLogger(__name__)

QUEUED, INLINE, PENDING = "queued", "inline", "pending"


def send_on_commit(task, *args, **kwargs):
    """Send `task(*args, **kwargs)` once the current transaction commits."""
    transaction.on_commit(lambda: send(task, args, kwargs))


def send(task, args=(), kwargs=None, *, kept=None):
    """Queue the task, or run it inline, or keep it for later; say which.

    `kept` is the PendingTask row when a kept task is being sent again.
    """
    args, kwargs = list(args), dict(kwargs or {})
    if not celery_app.conf.task_always_eager:
        try:
            task.apply_async(args, kwargs)
            return QUEUED
        except Exception as error:  # kombu's OperationalError, a timeout, DNS...
            logger.warning(
                "broker unavailable (%s): running %s inline", _describe(error), task.name
            )
    try:
        # One attempt: a task's automatic retries would hold the request.
        task.apply(args, kwargs, retries=task.max_retries or 0, throw=True)
        return INLINE
    except Exception as error:
        logger.exception("%s failed; kept to be sent again", task.name)
        keep(task.name, args, kwargs, error, kept)
        return PENDING


def keep(name, args, kwargs, error, kept=None):
    """Write the task to the database (or count one more attempt on `kept`)."""
    from .models import PendingTask

    if kept is None:
        kept = PendingTask(task_name=name, args=args, kwargs=kwargs)
    kept.attempts += 1
    kept.last_error = _describe(error)
    kept.save()


def _describe(error):
    # Mail errors name the recipient (SMTPRecipientsRefused): never kept in clear.
    from .redaction import redact

    return redact(f"{type(error).__name__}: {error}")[:500]


def requeue_pending(limit=500):
    """Send the kept tasks again, oldest first; returns (sent, still pending)."""
    from .models import PendingTask

    sent = 0
    for pk in PendingTask.objects.order_by("created_at").values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            # Two requeue runs at once never send the same task twice.
            kept = PendingTask.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if kept is None:
                continue
            task = celery_app.tasks.get(kept.task_name)
            if task is None:
                logger.error("pending task #%s names no known task %s", kept.pk, kept.task_name)
                continue
            if send(task, kept.args, kept.kwargs, kept=kept) != PENDING:
                kept.delete()
                sent += 1
    return sent, PendingTask.objects.count()
