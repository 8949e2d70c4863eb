"""The embedded set-up (`make run`: SQLite, runserver's threads) survives an
editor: publishing while Wagtail 8's autosave and editing-session pings write
to the same page answers as it should, never `database is locked`.

The site is served by `manage.py runserver` (threaded, as `make run`) on a
file copy of the test database (VACUUM INTO: migrated, with the demo
content), with the settings `make run` uses and the DATABASES of
cms/settings/base.py.
"""

import re
import sqlite3
import sys
import threading
import time
from contextlib import closing

import pytest
import requests

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import DatabaseError, connection, connections, transaction
from django.db.utils import ConnectionHandler

from tests.cms.page_types import NEW_ACTIVITY as ACTIVITY
from tests.serving import free_port, process_environment, start, stop, wait_for

PASSWORD = "concurrent-editor"
AUTOSAVING_TABS = 6
PUBLISHES = 3


def sqlite_settings():
    """The DATABASES entry of cms/settings/base.py for an SQLite URL."""
    from cms.settings import base

    if base.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the embedded set-up's SQLite: run without DATABASE_URL")
    return base.DATABASES["default"]


@pytest.fixture
def sqlite_alias(django_db_blocker, tmp_path):
    """A database alias on a new SQLite file, configured as base.py configures it."""
    alias, database = "embedded_sqlite", tmp_path / "embedded.sqlite3"
    configured = ConnectionHandler({"default": {**sqlite_settings(), "NAME": str(database)}})
    connections.settings[alias] = configured.settings["default"]
    with django_db_blocker.unblock():
        yield alias, database
    connections.settings.pop(alias)


def test_two_editors_who_read_then_write_both_succeed(sqlite_alias):
    """The publish/autosave pattern in its smallest form: each transaction
    reads, then writes, while the other's is open. By default SQLite fails
    one of them at once with "database is locked" (no busy wait can help a
    reader that must become the writer); here the second one waits."""
    alias, database = sqlite_alias
    with closing(sqlite3.connect(database)) as setup, setup:
        setup.execute("CREATE TABLE page (id INTEGER PRIMARY KEY, title TEXT)")
        setup.execute("INSERT INTO page VALUES (1, 'draft')")
    first_has_read = threading.Event()
    failures = []

    def editor(title, before=None, after=None):
        try:
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                if before:
                    before.wait(10)
                cursor.execute("SELECT title FROM page WHERE id = 1")
                if after:
                    after.set()
                    time.sleep(0.3)  # the other editor reads and writes meanwhile
                cursor.execute("UPDATE page SET title = %s WHERE id = 1", [title])
        except DatabaseError as error:
            failures.append(f"{title}: {error}")
        finally:
            connections[alias].close()  # this thread's connection

    publish = threading.Thread(target=editor, args=("published",), kwargs={"after": first_has_read})
    autosave = threading.Thread(
        target=editor, args=("autosaved",), kwargs={"before": first_has_read}
    )
    for thread in (publish, autosave):
        thread.start()
    for thread in (publish, autosave):
        thread.join(30)
    assert failures == []
    with closing(sqlite3.connect(database)) as site:
        assert site.execute("SELECT title FROM page").fetchone()[0] in ("published", "autosaved")


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """A file copy of the test database: migrated, with the demo content.

    Session-scoped, so it is taken before any test opens its transaction.
    """
    sqlite_settings()
    database = tmp_path_factory.mktemp("sqlite") / "site.sqlite3"
    with django_db_blocker.unblock():
        source = sqlite3.connect(connection.settings_dict["NAME"], uri=True)
        with closing(source), closing(sqlite3.connect(database)) as copy:
            source.backup(copy)
    # The test settings' hasher is not one `make run` accepts.
    with closing(sqlite3.connect(database)) as copy, copy:
        copy.execute(
            "UPDATE auth_user SET password = ? WHERE username = 'admin'",
            [PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)],
        )
    return database


@pytest.fixture
def sqlite_site(demo_database, tmp_path):
    """runserver, as `make run` starts it, on that database."""
    database = demo_database
    port = free_port()
    env = process_environment(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_DEBUG="0",
    )
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    log = (tmp_path / "runserver.log").open("w")
    server = start(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        env,
        log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/healthz/", server)
        yield url, database
    finally:
        stop([server])
        log.close()


def signed_in(url):
    session = requests.Session()
    session.get(f"{url}/admin/login/", timeout=30)
    response = session.post(
        f"{url}/admin/login/",
        {
            "username": "admin",
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{url}/admin/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def post(session, url, data, **headers):
    return session.post(
        url,
        {**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": url, "X-CSRFToken": session.cookies["csrftoken"], **headers},
        timeout=60,
        allow_redirects=False,
    )


@pytest.mark.django_db  # the test database the copy is taken from
def test_publishing_while_autosave_and_editing_sessions_write(sqlite_site):
    url, database = sqlite_site
    editor = signed_in(url)
    # The new event, saved as a draft: what autosave makes of a new page.
    parent = (
        sqlite3.connect(database)
        .execute("SELECT id FROM wagtailcore_page WHERE slug = 'activities'")
        .fetchone()[0]
    )
    draft = post(editor, f"{url}/admin/pages/add/activities/activitypage/{parent}/", ACTIVITY)
    assert draft.status_code == 302, draft.text[:500]
    page_id = int(re.search(r"/admin/pages/(\d+)/edit/", draft.headers["Location"]).group(1))
    edit_url = f"{url}/admin/pages/{page_id}/edit/"
    ping_url = f"{url}/admin/editing-sessions/ping/wagtailcore/page/{page_id}/0/"

    statuses, publish_statuses, seconds = [], [], 0.0
    stop_writing = threading.Event()

    def editor_tab():
        tab = requests.Session()
        tab.cookies.update(editor.cookies)
        while not stop_writing.is_set():
            saved = post(tab, edit_url, ACTIVITY, Accept="application/json")
            pinged = post(tab, ping_url, {"is_editing": "1"}, Accept="application/json")
            statuses.extend([saved.status_code, pinged.status_code])

    tabs = [threading.Thread(target=editor_tab) for _ in range(AUTOSAVING_TABS)]
    for tab in tabs:
        tab.start()
    try:
        for _ in range(PUBLISHES):
            time.sleep(0.3)  # autosaves and pings under way
            started = time.monotonic()
            published = post(editor, edit_url, {**ACTIVITY, "action-publish": "publish"})
            seconds = max(seconds, time.monotonic() - started)
            publish_statuses.append(published.status_code)
    finally:
        stop_writing.set()
        for tab in tabs:
            tab.join(timeout=60)

    assert publish_statuses == [302] * PUBLISHES, published.text[:1000]
    assert 500 not in statuses, f"{statuses.count(500)} of {len(statuses)} requests failed"
    assert len(statuses) >= AUTOSAVING_TABS * 2
    # Published: Wagtail logged it. Not asserted: that the page is still
    # live once the autosaves are done. An autosave that loaded the page
    # before the publish and saves after it writes back its copy (not live):
    # Wagtail's edit view loads the page outside its transaction, on any
    # database. A browser's tab waits for its autosave before it publishes.
    with closing(sqlite3.connect(database)) as site:
        logged = site.execute(
            "SELECT count(*) FROM wagtailcore_pagelogentry WHERE page_id = ? AND action = ?",
            [page_id, "wagtail.publish"],
        ).fetchone()[0]
    assert logged == PUBLISHES
    # Queued behind the autosaves, not waiting out a lock.
    assert seconds < 10, f"publishing took {seconds:.1f} s"
