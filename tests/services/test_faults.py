"""Faults against the real services, with the site served by gunicorn and a
Celery worker as in production:

- PostgreSQL restarts under the running site: the next requests are served
  without restarting gunicorn or the worker (CONN_HEALTH_CHECKS, Celery's
  Django fix-up);
- Redis goes away: pages are still served (the cache misses), a resident's
  form and an editor's publish still succeed and their follow-up work (the
  e-mail, the search index) is done inline; /healthz/ says what is down.

Runs in `make test-services`: its own redis-server on a free port (stopped and
started by the test) and its own PostgreSQL database; the PostgreSQL restart
is a real `pg_ctlcluster restart` when run as root (CI), otherwise every
connection of the site is terminated by the server, which is what a restart
looks like to the site.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from unittest import mock
from urllib.parse import urlsplit

import pytest
import requests

from django.db import connections

from tests.conftest import services_missing_reason
from tests.serving import (
    Site,
    celery_worker,
    free_port,
    manage,
    postgres,
    process_environment,
    start,
    stop,
    wait_for,
)

pytestmark = pytest.mark.services

DATABASE = f"musashino_faults_{os.getpid()}"
OPPORTUNITY = "sample-hiroba-yomikikase"


class RedisServer:
    """A redis-server of our own, so stopping it leaves the machine's alone."""

    def __init__(self, workdir):
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            )
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def _require_services():
    reason = services_missing_reason()
    if reason is None and not (shutil.which("redis-server") and shutil.which("redis-cli")):
        reason = "needs redis-server and redis-cli on PATH"
    if reason:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    _require_services()
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture(scope="module")
def site(redis_server, tmp_path_factory):
    """gunicorn + a Celery worker on a new database, with the demo content."""
    base = tmp_path_factory.mktemp("faults")
    postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    postgres(f"CREATE DATABASE {DATABASE}")
    database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{DATABASE}").geturl()
    env = process_environment(
        **{
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": database_url,
            # Persistent connections, as in production: the ones a restart breaks.
            "DATABASE_CONN_MAX_AGE": "60",
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(base / "mail"),
            "DJANGO_MEDIA_ROOT": str(base / "media"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    # Content loaded with tasks inline (indexed at once), then served with Redis.
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo_content")
    manage(env, "import_civic_data", "matching/samples/civic_data.json")
    env |= {"REDIS_URL": redis_server.url, "CELERY_BROKER_URL": redis_server.url}
    port = free_port()
    log = open(base / "server.log", "w")  # noqa: SIM115 - closed below
    gunicorn = [sys.executable, "-m", "gunicorn", "cms.wsgi", "--bind", f"127.0.0.1:{port}"]
    processes = [
        start([*gunicorn, "--workers", "1", "--timeout", "60"], env, log),
        start(celery_worker("faults"), env, log),
    ]
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/", processes[0])
        yield Site(url, env, base / "mail")
    finally:
        stop(processes)
        log.close()
        sys.stdout.write((base / "server.log").read_text()[-3000:])
        postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _take_part(site, email, message):
    """A resident's 参加してみたい, as a browser sends it (CSRF cookie and token)."""
    session = requests.Session()
    page_id = site.manage(
        "shell",
        "--no-imports",
        "-c",
        f"from wagtail.models import Page; print(Page.objects.get(slug='{OPPORTUNITY}').pk)",
    ).strip()
    form_url = site(f"/matching/interest/{page_id}/")
    form = session.get(form_url, timeout=30)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    data = {"csrfmiddlewaretoken": token, "name": "武蔵野 太郎", "email": email, "consent": "on"}
    response = session.post(
        form_url,
        data={**data, "message": message},
        headers={"Referer": form_url},
        timeout=30,
        allow_redirects=False,
    )
    return response


def _post_form(session, form_url, data):
    form = session.get(form_url, timeout=30)
    assert form.status_code == 200, form_url
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return session.post(
        form_url,
        data={"csrfmiddlewaretoken": token, **data},
        headers={"Referer": form_url},
        timeout=30,
        allow_redirects=False,
    )


def _apply_and_confirm(site, email):
    """An application for the demo café, then its confirmation link from the e-mail."""
    session = requests.Session()
    page_id = site.manage(
        "shell",
        "--no-imports",
        "-c",
        "from wagtail.models import Page; "
        "print(Page.objects.get(slug='sample-kosodate-cafe-2027').pk)",
    ).strip()
    data = {"name": "三鷹 ゆり", "email": email, "consent": "on", "party_size": "1"}
    data |= {f"question_{pk}": "1人(2歳)" for pk in _question_ids(site, page_id)}
    response = _post_form(session, site(f"/applications/{page_id}/apply/"), data)
    assert response.status_code == 302, response.text[:500]
    mail = site.wait_for_mail(lambda m: m["to"] == email, seconds=10)
    assert mail is not None, "the confirmation e-mail is sent inline"
    path = re.search(r"https?://[^/\s]+(/applications/confirm/\S+/)", mail["body"]).group(1)
    return _post_form(session, site(path), {})


def _question_ids(site, page_id):
    output = site.manage(
        "shell",
        "--no-imports",
        "-c",
        "from cms.activities.models import ApplicationQuestion as Q; "
        f"print(*Q.objects.filter(page_id={page_id}).values_list('pk', flat=True))",
    )
    return output.split()


def _restart_postgres():
    """A real restart as root (CI); otherwise the server ends every connection
    of the site, which is what the site sees of a restart."""
    clusters = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if os.geteuid() == 0 and shutil.which("pg_ctlcluster") and clusters:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1], "main", "restart"],
            check=True,
            timeout=120,
        )
        how = "restarted"
    else:
        postgres(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{DATABASE}' AND pid <> pg_backend_pid()"
        )
        how = "connections terminated"
    deadline = time.monotonic() + 60
    while True:
        try:
            postgres("SELECT 1")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    # This test process's own connections died too. In a full run the
    # browser tests' Playwright (sync API, session-scoped) keeps an event loop
    # in this thread, which Django's async-safety check takes for async code.
    with mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "1"}):
        connections.close_all()
    return how


def test_the_site_recovers_from_a_postgresql_restart(site):
    assert requests.get(site("/"), timeout=30).status_code == 200
    assert requests.get(site("/activities/"), timeout=30).status_code == 200

    how = _restart_postgres()

    # No restart of gunicorn or the worker: the very next requests are served.
    for path in ("/", "/activities/", "/search/?query=子育て", "/healthz/"):
        response = requests.get(site(path), timeout=30)
        assert response.status_code == 200, (how, path, response.text[:500])
    response = _take_part(site, "after-restart@example.jp", "再起動のあとで")
    assert response.status_code == 302, response.text[:500]
    # The worker's connection was broken as well; it still sends the e-mail.
    mail = site.wait_for_mail(lambda mail: mail["to"] == "after-restart@example.jp", seconds=60)
    assert mail is not None, f"PostgreSQL {how}: the worker did not send the confirmation"


PUBLISH = """
from cms.activities.models import ActivityPage
original = ActivityPage.objects.live().first()
copy = original.copy(
    update_attrs={"title": "Redis停止中に公開した講座 QZXWFAULT", "slug": "published-in-outage"},
    keep_live=False,
)
copy.specific.save_revision().publish()
print("published", copy.pk)
"""


def test_with_redis_down_nothing_is_lost(site, redis_server):
    redis_server.stop()
    try:
        # Pages: the cache misses instead of failing.
        for path in ("/", "/activities/", "/matching/?skills=childcare&max_km=3"):
            assert requests.get(site(path), timeout=30).status_code == 200, path

        # A resident's request is stored (until its confirmation) and the
        # confirmation e-mail sent inline.
        response = _take_part(site, "redis-down@example.jp", "Redis停止中の申し込み")
        assert response.status_code == 302, response.text[:500]
        stored = site.manage(
            "shell",
            "--no-imports",
            "-c",
            "from matching.models import PendingInterest; "
            "print(PendingInterest.objects.get(profile__email='redis-down@example.jp').message)",
        )
        assert "Redis停止中の申し込み" in stored
        assert site.wait_for_mail(lambda mail: mail["to"] == "redis-down@example.jp", seconds=10)

        # An application for an activity: stored, its e-mails sent inline,
        # and confirming it takes a seat.
        confirmed = _apply_and_confirm(site, "redis-down-apply@example.jp")
        assert confirmed.status_code == 200, confirmed.text[:500]
        status = site.manage(
            "shell",
            "--no-imports",
            "-c",
            "from cms.applications.models import Application; "
            "print(Application.objects.get(email='redis-down-apply@example.jp').status)",
        )
        assert status.strip() == "booked"
        assert site.wait_for_mail(
            lambda m: m["to"] == "redis-down-apply@example.jp" and m["attachments"], seconds=10
        ), "the acceptance e-mail, with the .ics, is sent inline too"

        # An editor publishes: the page is live and in the search index at once.
        assert "published" in site.manage("shell", "--no-imports", "-c", PUBLISH)
        results = requests.get(site("/search/?query=QZXWFAULT"), timeout=30)
        assert results.status_code == 200
        assert "Redis停止中に公開した講座" in results.text

        # Monitoring is told what is down.
        health = requests.get(site("/healthz/"), timeout=30)
        assert health.status_code == 503
        checks = health.json()["checks"]
        assert not checks["broker"]["ok"] and not checks["cache"]["ok"]
        assert checks["database"]["ok"]
    finally:
        redis_server.start()

    # Redis is back: the same processes use it again.
    deadline = time.monotonic() + 30
    while requests.get(site("/healthz/"), timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "/healthz/ did not recover after Redis came back"
        time.sleep(0.5)
