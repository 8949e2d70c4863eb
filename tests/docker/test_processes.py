"""The containers' commands and healthchecks, run as plain processes.

No Docker engine runs on these machines, so the image's command (gunicorn,
through the entrypoint) and the compose services' commands and healthchecks
run here, with this checkout in place of /app and each service's compose
environment pointed at this machine: the web server on SQLite with
production settings, which also shows why the healthcheck sends the proxy's
headers; the Celery worker and beat on the machine's Redis when a broker is
configured (`make test-services`; skipped with the reason otherwise,
failing when REQUIRE_SERVICES=1); production settings in each search
profile's environment, and on this machine's OpenSearch node when
OPENSEARCH_URL names one (`make opensearch`).
"""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.docker.support import (
    ENTRYPOINT,
    HEALTHCHECK,
    ROOT,
    exec_form,
    local_run_environment,
    resolved_compose,
    run_entrypoint,
    sqlite_tables,
    stages,
)
from tests.serving import free_port

# The containers' neighbours do not exist here.
NO_SERVICES = {
    "REDIS_URL": None,
    "CELERY_BROKER_URL": None,
    "CELERY_RESULT_BACKEND": None,
    "OPENSEARCH_URL": None,
    "ELASTICSEARCH_URL": None,
}


def healthcheck(env):
    return subprocess.run(
        ["python", str(HEALTHCHECK)], env=env, capture_output=True, text=True, timeout=30
    )


def children_of(pid):
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):
            continue
        if fields.get("PPid", "").strip() == str(pid):
            children.append(int(status.parent.name))
    return children


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def web_server(tmp_path_factory):
    """The image's CMD through the entrypoint: migrates a new SQLite database
    (gunicorn is the web role), then serves with production settings."""
    directory = tmp_path_factory.mktemp("web")
    port = free_port()
    command = exec_form(next(args for kw, args in stages()[-1][1] if kw == "CMD"))
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    env = local_run_environment(
        "web",
        **NO_SERVICES,
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(directory / "media"),
        WEB_CONCURRENCY="2",
        HEALTHCHECK_PORT=str(port),
    )
    log = directory / "web.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(ENTRYPOINT), *command], cwd=ROOT, env=env, stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 240
        while healthcheck(env).returncode != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the web server did not become healthy:\n{log.read_text()[-3000:]}")
            time.sleep(1)
        yield SimpleNamespace(
            process=process, port=port, env=env, database=directory / "db.sqlite3", log=log
        )
    finally:
        stop(process)


def get(port, headers):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz/", headers=headers)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_web_role_migrates_before_gunicorn_starts(web_server):
    assert "entrypoint: applying migrations" in web_server.log.read_text()
    assert {"django_migrations", "wagtailcore_page"} <= sqlite_tables(web_server.database)


def test_the_image_healthcheck_passes_against_the_image_command(web_server):
    result = healthcheck(web_server.env)
    assert result.returncode == 0, result.stderr


def test_production_answers_healthz_only_as_the_proxy_asks(web_server):
    host = web_server.env["DJANGO_ALLOWED_HOSTS"].split(",")[0]
    assert get(web_server.port, {}) == 400  # a Host production does not allow
    assert get(web_server.port, {"Host": host}) == 301  # redirected to HTTPS
    assert get(web_server.port, {"Host": host, "X-Forwarded-Proto": "https"}) == 200


def test_gunicorn_takes_its_workers_from_web_concurrency(web_server):
    assert len(children_of(web_server.process.pid)) == 2


def test_migrate_1_migrates_for_any_command_and_0_never(web_server, tmp_path):
    copy = tmp_path / "db.sqlite3"
    shutil.copy(web_server.database, copy)
    result = run_entrypoint(["true"], DATABASE_URL=f"sqlite:///{copy}", MIGRATE="1", **NO_SERVICES)
    assert result.returncode == 0, result.stderr
    assert "applying migrations" in result.stderr

    empty = tmp_path / "empty.sqlite3"
    result = run_entrypoint(
        ["gunicorn", "--version"],
        service="web",
        DATABASE_URL=f"sqlite:///{empty}",
        MIGRATE="0",
        **NO_SERVICES,
    )
    assert result.returncode == 0, result.stderr
    assert "applying migrations" not in result.stderr
    assert "django_migrations" not in sqlite_tables(empty)


@pytest.fixture
def private_broker():
    """The machine's Redis, in a database of its own so that no other test's
    worker takes these tasks or answers these pings."""
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
    if urlsplit(url).scheme != "redis":
        reason = "needs Redis: set REDIS_URL / CELERY_BROKER_URL (make test-services)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/13", "", ""))


def test_worker_and_beat_answer_their_compose_healthchecks(private_broker, tmp_path):
    services = resolved_compose()["services"]
    processes = {}
    try:
        for name in ("worker", "beat"):
            command = list(services[name]["command"])
            if "--schedule" in command:
                command[command.index("--schedule") + 1] = str(tmp_path / "celerybeat-schedule")
            env = local_run_environment(
                name,
                DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                REDIS_URL=private_broker,
                CELERY_BROKER_URL=private_broker,
                CELERY_RESULT_BACKEND=private_broker,
                OPENSEARCH_URL=None,
                ELASTICSEARCH_URL=None,
                # Docker sets HOSTNAME to the container's host name.
                HOSTNAME=socket.gethostname(),
            )
            log = (tmp_path / f"{name}.log").open("w")
            process = subprocess.Popen(
                [str(ENTRYPOINT), *command], cwd=ROOT, env=env, stdout=log, stderr=log
            )
            processes[name] = (process, env)

        for name, (process, env) in processes.items():
            check = services[name]["healthcheck"]["test"]
            assert check[0] == "CMD-SHELL"
            deadline = time.monotonic() + 90
            while True:
                result = subprocess.run(
                    ["sh", "-c", check[1]], env=env, capture_output=True, text=True, timeout=60
                )
                if result.returncode == 0:
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    output = (tmp_path / f"{name}.log").read_text()[-3000:]
                    pytest.fail(f"{name}'s healthcheck never passed: {result.stderr}\n{output}")
                time.sleep(1)
    finally:
        for process, _env in processes.values():
            stop(process)


# What production settings make of a container's environment: the search
# backend, its hosts and index prefix, and (with "check") /healthz/'s answer.
SEARCH_SETTINGS = """
import json
import sys

import django

django.setup()

from wagtail.search.backends import get_search_backend

from cms.infrastructure.health import check_search, search_engine

backend = get_search_backend()
print(json.dumps({
    "engine": search_engine(backend)[0],
    "hosts": [[host["host"], host["port"]] for host in backend.hosts],
    "index_prefix": backend.index_prefix,
    "check": check_search() if "check" in sys.argv else None,
}))
"""


@pytest.mark.parametrize(
    ("profile", "engine"), [("opensearch", "OpenSearch"), ("elasticsearch", "Elasticsearch")]
)
@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_production_settings_search_with_the_engine_the_profile_runs(
    profile, engine, service, tmp_path
):
    result = run_entrypoint(
        ["python", "-c", SEARCH_SETTINGS],
        service=service,
        profile=profile,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MIGRATE="0",
    )
    assert result.returncode == 0, result.stderr
    search = json.loads(result.stdout)
    assert search["engine"] == engine
    assert search["hosts"] == [[profile, 9200]]
    assert search["index_prefix"] == "musashino_"


def test_production_settings_report_the_engine_healthy(require_search_engine, tmp_path):
    """The opensearch profile's environment, its URL pointed at this machine's node."""
    result = run_entrypoint(
        ["python", "-c", SEARCH_SETTINGS, "check"],
        service="web",
        profile="opensearch",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MIGRATE="0",
        OPENSEARCH_URL=require_search_engine,
    )
    assert result.returncode == 0, result.stderr
    check = json.loads(result.stdout)["check"]
    assert check["engine"] == "OpenSearch"
    assert check["cluster_status"] in ("green", "yellow")
