"""Background work every app runs on: Django tasks on Celery, kept tasks sent again."""

from celery import Task, shared_task

from django.utils.module_loading import import_string


class KeptAfterLastRetry(Task):
    """A task whose last failed retry is kept in the database (PendingTask).

    A search engine or mail server down for longer than the retries last
    (about half a minute) would otherwise lose the work; beat sends kept tasks
    again every few minutes. Inline runs are kept by cms.infrastructure.queue.send.
    """

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Only outages are worth another try later; a bug would fail again.
        if not self.request.is_eager and isinstance(exc, (ConnectionError, OSError)):
            from .queue import keep

            keep(self.name, args, kwargs, exc)


# E-mail tasks: retried for about half a minute, then kept and sent again by
# beat, so a mail server down for hours loses no e-mail to a resident.
MAIL_TASK = {
    "base": KeptAfterLastRetry,
    "autoretry_for": (ConnectionError, OSError),
    "retry_backoff": True,
    "max_retries": 5,
}


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
