"""Background work is never lost: what can neither be queued nor done at once
is kept and sent again (cms/infrastructure/queue.py). Redis itself going away, with
gunicorn and a worker, is in tests/services/test_faults.py."""

import io

import pytest

from django.core import mail
from django.core.management import call_command

from wagtail.models import Page

from cms.core.models import PageFeedback
from cms.core.tasks import notify_page_feedback
from cms.infrastructure.models import PendingTask
from cms.infrastructure.queue import INLINE, PENDING, requeue_pending, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback():
    page = Page.objects.get(slug="about")
    return PageFeedback.objects.create(
        page=page, page_title=page.title, usefulness="useful", comment="地図が見づらいです"
    )


def test_work_that_fails_is_kept_with_the_reason(settings, feedback, caplog):
    settings.EMAIL_BACKEND = "tests.mail.BrokenEmailBackend"
    assert send(notify_page_feedback, [feedback.pk]) == PENDING
    kept = PendingTask.objects.get()
    assert kept.task_name == "cms.core.tasks.notify_page_feedback"
    assert kept.args == [feedback.pk] and kept.attempts == 1
    assert "mail server down" in kept.last_error
    assert mail.outbox == []

    # Still failing: kept, one attempt more, no duplicate row.
    assert requeue_pending() == (0, 1)
    kept.refresh_from_db()
    assert kept.attempts == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert requeue_pending() == (1, 0)
    (message,) = mail.outbox
    assert "地図が見づらいです" in message.body
    feedback.refresh_from_db()
    assert feedback.notified_at is not None


def test_work_that_succeeds_inline_leaves_nothing_behind(feedback):
    assert send(notify_page_feedback, [feedback.pk]) == INLINE
    assert len(mail.outbox) == 1 and not PendingTask.objects.exists()


def test_a_kept_task_with_an_unknown_name_is_not_dropped(caplog):
    PendingTask.objects.create(task_name="no.such.task", args=[1])
    assert requeue_pending() == (0, 1)
    assert "no.such.task" in caplog.text


def test_the_command_says_what_is_left(settings, feedback):
    settings.EMAIL_BACKEND = "tests.mail.BrokenEmailBackend"
    send(notify_page_feedback, [feedback.pk])
    out, err = io.StringIO(), io.StringIO()
    call_command("requeue_pending_tasks", stdout=out, stderr=err)
    assert "sent 0, still pending 1" in out.getvalue()
    assert "still failing" in err.getvalue()


def test_health_check_mentions_kept_work_without_failing(client):
    PendingTask.objects.create(task_name="cms.core.tasks.notify_page_feedback", args=[1])
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert (
        response.json()["checks"]["pending_tasks"]["note"] == "1 task(s) waiting to be sent again"
    )


def test_a_task_that_exhausted_its_retries_on_an_outage_is_kept():
    """On a worker: the last retry of an index update failed (engine down)."""
    from cms.infrastructure.tasks import run_django_task
    from search.backends.engine import SearchEngineUnavailable

    args = ["modelsearch.tasks.insert_or_update_object_task", ["wagtailcore", "page", "3"], {}]
    run_django_task.push_request(is_eager=False)
    try:
        run_django_task.on_failure(SearchEngineUnavailable("refused"), "id", args, {}, None)
        run_django_task.on_failure(KeyError("a bug"), "id", args, {}, None)
    finally:
        run_django_task.pop_request()
    kept = PendingTask.objects.get()
    assert kept.task_name == "cms.infrastructure.tasks.run_django_task" and kept.args == args
    assert "SearchEngineUnavailable: refused" in kept.last_error
