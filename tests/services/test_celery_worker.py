"""A real Celery worker process against the real broker and database.

Runs in `make test-services` (PostgreSQL + Redis); skipped with the reason
otherwise, and failing when REQUIRE_SERVICES=1 says the services must be here.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from django.db import connection

from wagtail.models import Page

from cms import celery_app
from cms.core.models import PageFeedback

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker_process(require_services, transactional_db, tmp_path):
    """Start `celery -A cms worker` on the test database; stop it afterwards."""
    yield from _worker(tmp_path)


def _worker(tmp_path, **extra_env):
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    database_url = f"postgres://{user}@{host}:{port}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": database_url,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(tmp_path / "mail"),
        **extra_env,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cms",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    celery_app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.inspect(timeout=1).ping():
            if worker.poll() is not None or time.monotonic() > deadline:
                output = worker.stdout.read() if worker.poll() is not None else ""
                pytest.fail(f"Celery worker did not start:\n{output}")
        worker.mail_dir = tmp_path / "mail"
        yield worker
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_worker_sends_the_feedback_notification(celery_worker_process, client):
    from cms.demo.loader import load_demo_content

    # transactional_db empties the tables; the page tree is rebuilt for this test.
    load_demo_content()
    page = Page.objects.get(slug="about")
    response = client.post(
        f"/feedback/{page.pk}/", {"usefulness": "useful", "comment": "ワーカー経由の確認"}
    )
    assert response.status_code == 302
    feedback = PageFeedback.objects.get()
    deadline = time.monotonic() + 30
    while feedback.notified_at is None and time.monotonic() < deadline:
        time.sleep(0.3)
        feedback.refresh_from_db()
    assert feedback.notified_at is not None, "the worker did not process the task"


def test_worker_updates_the_search_index_when_a_page_is_published(celery_worker_process):
    """Wagtail's index update runs on the worker, after the publish commits."""
    from wagtail.search.models import IndexEntry

    from cms.activities.models import ActivityIndexPage
    from cms.demo.loader import load_demo_content
    from tests.factories import ActivityPageFactory

    load_demo_content()
    index = ActivityIndexPage.objects.get(slug="activities")
    page = ActivityPageFactory(parent=index, title="ワーカー索引テスト講座", summary="モルック体験")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        entry = IndexEntry.objects.filter(object_id=str(page.pk)).first()
        if entry and "モルック" in entry.body:
            break
        time.sleep(0.3)
    assert [p.pk for p in Page.objects.live().search("モルック")] == [page.pk]


@pytest.fixture
def engine_worker(require_services, require_search_engine, transactional_db, tmp_path, settings):
    """A worker and this process both searching throw-away indices on the engine."""
    import uuid

    from django.core.management import call_command

    from cms.demo.loader import load_demo_content
    from cms.settings.base import search_backends

    prefix = f"musashino_worker_{uuid.uuid4().hex[:8]}_"
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {**search_backends(require_search_engine)["default"], "INDEX_PREFIX": prefix}
    }
    # The content and its index first (tasks inline): a worker indexing into
    # an index update_index has not made yet would race its alias swap.
    load_demo_content()
    call_command("update_index", verbosity=0)
    worker = _worker(
        tmp_path,
        TEST_SEARCH_ENGINE="1",
        OPENSEARCH_URL=require_search_engine,
        SEARCH_INDEX_PREFIX=prefix,
    )
    yield next(worker)
    next(worker, None)
    from wagtail.search.backends import get_search_backend

    get_search_backend().es.indices.delete(index=f"{prefix}*")


def _eventually(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.3)
    return condition()


def test_worker_updates_the_search_engine_on_publish_and_unpublish(engine_worker):
    """Publishing and unpublishing reach the engine through the worker."""
    from cms.activities.models import ActivityIndexPage
    from tests.factories import ActivityPageFactory

    def found():
        return [p.pk for p in Page.objects.live().search("モルック")]

    index = ActivityIndexPage.objects.get(slug="activities")
    page = ActivityPageFactory(parent=index, title="ワーカー索引テスト講座", summary="モルック体験")
    assert _eventually(lambda: found() == [page.pk]), "the worker did not index the page"
    page.unpublish()
    # The engine still holds the document, now marked not live.
    assert _eventually(lambda: found() == []), "the unpublished page is still found"


def test_worker_emails_the_resident_when_a_match_is_accepted(celery_worker_process):
    from cms.demo.loader import load_demo_content
    from matching import services
    from matching.importer import import_civic_data, load_file
    from matching.models import ResidentProfile, Skill

    load_demo_content()
    import_civic_data(load_file(ROOT / "matching" / "samples" / "civic_data.json"))
    resident = ResidentProfile.objects.create(
        name="受入 太郎", email="taro@example.jp", interests="料理", consent=True
    )
    resident.skills.set(Skill.objects.filter(slug="cooking"))
    (suggestion, *_rest) = services.refresh_suggestions(resident)
    services.change_status(suggestion, "accepted")
    deadline = time.monotonic() + 30
    sent = []
    while not sent and time.monotonic() < deadline:
        time.sleep(0.3)
        if celery_worker_process.mail_dir.exists():
            sent = [p.read_text() for p in celery_worker_process.mail_dir.iterdir()]
    assert sent, "the worker sent no e-mail"
    assert "taro@example.jp" in sent[0]
