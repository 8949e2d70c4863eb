"""Background work of the core app."""

from celery import Task, shared_task

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import PageFeedback


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def notify_page_feedback(feedback_id):
    """E-mail the office about a feedback answer that carries a comment.

    Marks the answer as notified so a retried task never sends twice.
    """
    feedback = PageFeedback.objects.filter(pk=feedback_id, notified_at__isnull=True).first()
    if feedback is None or not feedback.comment or not settings.FEEDBACK_NOTIFY_EMAILS:
        return False
    lines = [
        (_("Page"), feedback.page_title),
        ("URL", feedback.page_url),
        (_("Usefulness"), feedback.get_usefulness_display()),
        (_("Findability"), feedback.get_findability_display() or "-"),
    ]
    body = "\n".join([f"{label}: {value}" for label, value in lines] + ["", feedback.comment])
    send_mail(
        _("Page feedback: %(title)s") % {"title": feedback.page_title},
        body,
        settings.DEFAULT_FROM_EMAIL,
        settings.FEEDBACK_NOTIFY_EMAILS,
    )
    PageFeedback.objects.filter(pk=feedback.pk).update(notified_at=timezone.now())
    return True


class KeptAfterLastRetry(Task):
    """A task whose last failed retry is kept in the database (PendingTask).

    A search engine or mail server down for longer than the retries last
    (about half a minute) would otherwise lose the work; beat sends kept tasks
    again every few minutes. Inline runs are kept by cms.core.queue.send.
    """

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Only outages are worth another try later; a bug would fail again.
        if not self.request.is_eager and isinstance(exc, (ConnectionError, OSError)):
            from .queue import keep

            keep(self.name, args, kwargs, exc)


@shared_task(
    base=KeptAfterLastRetry,
    autoretry_for=(ConnectionError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def run_django_task(module_path, args, kwargs):
    """Run a django-tasks task (e.g. Wagtail's search-index update) on a Celery worker.

    The search backends raise ConnectionError while the engine is down
    (search.backends.engine), so an index update is retried, then kept.
    """
    task = import_string(module_path)
    return task.call(*args, **kwargs)


@shared_task
def requeue_pending_tasks():
    """Send again the work kept while the broker and the inline run both failed."""
    from .queue import requeue_pending

    sent, left = requeue_pending()
    return {"sent": sent, "pending": left}
