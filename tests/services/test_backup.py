"""Backups: a pg_dump of the site's database restores into a fresh database,
and the site serves its pages from the restored copy (README "Backups").

Runs in `make test-services` against the machine's PostgreSQL; skipped, with
the reason, on SQLite.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from django.db import connection

from cms.activities.models import ActivityPage

ROOT = Path(__file__).resolve().parents[2]
RESTORED = f"musashino_restore_{os.getpid()}"


def _pg(*args, **kwargs):
    db = connection.settings_dict
    return subprocess.run(
        [
            *args,
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"] or "postgres",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture
def restored_database(require_services, db, tmp_path):
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    dump = tmp_path / "musashino.dump"
    _pg(
        "pg_dump",
        "--format=custom",
        "--no-owner",
        f"--file={dump}",
        connection.settings_dict["NAME"],
    )
    _pg("dropdb", "--if-exists", "--force", RESTORED)
    _pg("createdb", RESTORED)
    try:
        _pg("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={RESTORED}", str(dump))
        db = connection.settings_dict
        server = f"{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        yield f"postgres://{server}/{RESTORED}"
    finally:
        _pg("dropdb", "--if-exists", "--force", RESTORED)


def test_a_restored_dump_serves_the_site(restored_database):
    page = ActivityPage.objects.live().order_by("path").first()
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        f"response = Client().get({page.url!r})\n"
        "print(response.status_code)\n"
        "print(response.content.decode())\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": restored_database,
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    status, _, html = result.stdout.partition("\n")
    assert status == "200"
    assert page.title in html and "ページ番号" in html
