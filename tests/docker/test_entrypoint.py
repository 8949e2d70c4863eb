"""docker/entrypoint.sh: read, syntax-checked, and run as a plain process.

No Docker engine runs on these machines, so the entrypoint runs here with
this checkout in place of /app and the virtualenv's python on PATH: against
SQLite always, against a missing server, and against the machine's
PostgreSQL when DATABASE_URL names one (`make test-services`; skipped with
the reason otherwise, failing when REQUIRE_SERVICES=1). Migrating for the
web role is run in test_processes.py, with the image's gunicorn command.
"""

import os
import shutil
import stat
import subprocess
from urllib.parse import urlsplit

import pytest

from tests.docker.support import (
    ENTRYPOINT,
    run_entrypoint,
    sqlite_tables,
    with_database,
)
from tests.serving import free_port

SCRIPT = ENTRYPOINT.read_text()
READY = ["python", "-c", "print('command ran')"]


def test_is_executable_and_strict():
    assert ENTRYPOINT.stat().st_mode & stat.S_IXUSR, "chmod +x docker/entrypoint.sh"
    assert SCRIPT.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in SCRIPT


def test_waits_for_the_database_migrates_for_web_and_execs_the_command():
    assert "wait_for_database\n" in SCRIPT
    assert "connection.ensure_connection()" in SCRIPT
    assert "DATABASE_WAIT_TIMEOUT" in SCRIPT
    assert "python manage.py migrate --noinput" in SCRIPT
    assert "gunicorn) MIGRATE=1" in SCRIPT
    assert SCRIPT.rstrip().endswith('exec "$@"')


def test_bash_accepts_the_syntax():
    result = subprocess.run(["bash", "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not shutil.which("dash"), reason="dash is not installed")
def test_a_posix_shell_accepts_the_syntax_too():
    result = subprocess.run(["dash", "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "placeholder",
    [
        {"DJANGO_SECRET_KEY": "change-me-to-a-long-random-string"},
        {"DATABASE_URL": "postgres://musashino:change-me@db:5432/musashino"},
    ],
)
def test_refuses_the_placeholder_secrets(placeholder, tmp_path):
    result = run_entrypoint(["touch", str(tmp_path / "ran")], **placeholder)
    assert result.returncode != 0
    assert "change-me" in result.stderr and "docker/.env" in result.stderr
    assert not (tmp_path / "ran").exists()


def test_gives_up_with_a_clear_message_when_the_database_never_answers(tmp_path):
    unused_port = free_port()
    result = run_entrypoint(
        ["touch", str(tmp_path / "ran")],
        DATABASE_URL=f"postgres://musashino:secret@127.0.0.1:{unused_port}/musashino",
        DATABASE_WAIT_TIMEOUT="2",
    )
    assert result.returncode != 0
    assert f"gave up waiting for the database 127.0.0.1:{unused_port}/musashino" in result.stderr
    assert "secret" not in result.stderr
    assert not (tmp_path / "ran").exists()


def test_runs_the_command_without_migrating_for_a_worker(tmp_path):
    database = tmp_path / "db.sqlite3"
    result = run_entrypoint(READY, DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "command ran"
    assert "django_migrations" not in sqlite_tables(database)


def test_waits_for_the_machines_postgresql():
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql"):
        reason = "needs PostgreSQL: set DATABASE_URL (make test-services)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    # The server DATABASE_URL names; its maintenance database, since the
    # portal's own need not exist on this machine (pytest makes test_…).
    result = run_entrypoint(
        READY, DATABASE_URL=with_database(url, "postgres"), DATABASE_WAIT_TIMEOUT="20"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "command ran"
