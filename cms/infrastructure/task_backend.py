"""A django-tasks backend that hands Wagtail's background work to Celery.

Wagtail 8 enqueues search-index and reference-index updates as django-tasks
tasks. With a Celery broker configured they run on the Celery workers, after
the transaction that caused them commits (so a worker never indexes a page
that is not saved yet); without one they run inline, as Wagtail's own
ImmediateBackend does. With the broker down they run inline too, or wait in
the database (cms/infrastructure/queue.py): a page published while Redis is down is
still indexed.
"""

import threading
from contextlib import contextmanager

from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id

from cms.celery import app as celery_app

_batch = threading.local()


@contextmanager
def each_task_once():
    """Within the block, tasks wait; at its end each distinct task (and arguments) runs once.

    A bulk write saves and publishes each page, and follows related
    objects: Wagtail asks for the same page's index update three or four
    times. Inside a transaction the updates still happen inside it (inline)
    or after it commits (with a broker). If the block raises, nothing runs;
    an update for an object the block deleted is dropped.
    """
    if getattr(_batch, "tasks", None) is not None:
        yield  # already inside one: the outer block runs them
        return
    _batch.tasks = {}
    try:
        yield
        waiting = list(_batch.tasks.values())
    finally:
        _batch.tasks = None
    for task, args, kwargs in waiting:
        if _about_a_deleted_object(args):
            continue
        task.enqueue(*args, **kwargs)


def _about_a_deleted_object(args):
    """True for Wagtail's (app_label, model_name, pk) tasks whose object the block deleted."""
    from django.apps import apps

    if len(args) != 3 or not all(isinstance(arg, str) for arg in args):
        return False
    try:
        model = apps.get_model(args[0], args[1])
    except (LookupError, ValueError):
        return False
    return not model._base_manager.filter(pk=args[2]).exists()


def _result(backend, task, args, kwargs):
    return TaskResult(
        task=task,
        id=get_random_id(),
        status=TaskResultStatus.READY,
        enqueued_at=None,
        started_at=None,
        last_attempted_at=None,
        finished_at=None,
        args=args,
        kwargs=kwargs,
        backend=backend.alias,
        errors=[],
        worker_ids=[],
    )


class CeleryBackend(ImmediateBackend):
    def enqueue(self, task, args, kwargs):
        waiting = getattr(_batch, "tasks", None)
        if waiting is not None:
            self.validate_task(task)
            key = (task.module_path, repr(args), repr(sorted(kwargs.items())))
            waiting.setdefault(key, (task, list(args), dict(kwargs)))
            return _result(self, task, args, kwargs)
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
        result = _result(self, task, args, kwargs)
        from .queue import send_on_commit
        from .tasks import run_django_task

        send_on_commit(run_django_task, task.module_path, list(args), dict(kwargs))
        return result


def _is_outage(task_error):
    try:
        return issubclass(task_error.exception_class, (ConnectionError, OSError))
    except (ImportError, ValueError):
        return False
