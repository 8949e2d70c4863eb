"""A django-tasks backend that hands Wagtail's background work to Celery.

Wagtail 8 enqueues search-index and reference-index updates as django-tasks
tasks. With a Celery broker configured they run on the Celery workers, after
the transaction that caused them commits (so a worker never indexes a page
that is not saved yet); without one they run inline, as Wagtail's own
ImmediateBackend does. With the broker down they run inline too, or wait in
the database (cms/infrastructure/queue.py): a page published while Redis is down is
still indexed.
"""

from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id

from cms.celery import app as celery_app


class CeleryBackend(ImmediateBackend):
    def enqueue(self, task, args, kwargs):
        if celery_app.conf.task_always_eager:
            result = super().enqueue(task, args, kwargs)
            if result.status == TaskResultStatus.FAILED and _is_outage(result.errors[-1]):
                # e.g. the search engine is down: keep the update for later.
                from .queue import keep
                from .tasks import run_django_task

                error = result.errors[-1]
                keep(
                    run_django_task.name,
                    [task.module_path, list(args), dict(kwargs)],
                    {},
                    RuntimeError(error.traceback.strip().splitlines()[-1]),
                )
            return result
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        from .queue import send_on_commit
        from .tasks import run_django_task

        send_on_commit(run_django_task, task.module_path, list(args), dict(kwargs))
        return result


def _is_outage(task_error):
    try:
        return issubclass(task_error.exception_class, (ConnectionError, OSError))
    except (ImportError, ValueError):
        return False
