"""/healthz/ (cms.infrastructure.health): every dependency, and which search engine.

The engine checks run on a real node when OPENSEARCH_URL names one (`make
opensearch`; skipped with the reason otherwise, failing when
REQUIRE_SEARCH_ENGINE=1), and against a closed local port for an engine that
is down: nothing is mocked.
"""

import ipaddress
import time

import pytest

from cms import celery_app
from cms.infrastructure.health import TIMEOUT_SECONDS, Unhealthy, judge_cluster_health
from cms.settings.base import search_backends
from tests.serving import free_port

CHECKS = {"database", "cache", "broker", "search", "pending_tasks"}


def healthz(client):
    started = time.monotonic()
    response = client.get("/healthz/")
    return response, time.monotonic() - started


def test_reports_every_dependency(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert "failed" not in body
    assert set(body["checks"]) == CHECKS
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_says_503_when_the_broker_is_unreachable(client, db, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Celery prefers the environment's CELERY_BROKER_URL (set in the services run).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz/")
    finally:
        celery_app.conf.broker_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_names_the_database_backend_when_no_engine_is_configured(client, db):
    search = client.get("/healthz/").json()["checks"]["search"]
    assert search["ok"] is True
    assert search["engine"] == "database"
    assert "cluster_status" not in search


def test_reports_opensearch_and_its_cluster_health(client, db, settings, require_search_engine):
    settings.WAGTAILSEARCH_BACKENDS = search_backends(opensearch_url=require_search_engine)
    response, _seconds = healthz(client)
    assert response.status_code == 200, response.json()
    search = response.json()["checks"]["search"]
    assert search["ok"] is True
    assert search["engine"] == "OpenSearch"
    # Yellow on one node: the replicas the engine asks for have nowhere to go.
    assert search["cluster_status"] in ("green", "yellow")


@pytest.mark.parametrize(
    ("setting", "engine"),
    [("opensearch_url", "OpenSearch"), ("elasticsearch_url", "Elasticsearch")],
)
def test_says_503_naming_search_when_the_engine_is_down(client, db, settings, setting, engine):
    closed = f"http://127.0.0.1:{free_port()}"  # bound and released: nothing listens
    settings.WAGTAILSEARCH_BACKENDS = search_backends(**{setting: closed})
    response, seconds = healthz(client)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failed"] == ["search"]
    search = body["checks"]["search"]
    assert search["ok"] is False
    assert search["engine"] == engine
    assert search["error"].startswith(f"no cluster health from {engine}")
    assert body["checks"]["database"]["ok"] is True
    # The short timeout: a load balancer's probe is not kept waiting.
    assert seconds < TIMEOUT_SECONDS + 2


@pytest.mark.parametrize("status", ["green", "yellow"])
def test_green_and_yellow_clusters_are_healthy(status):
    health = {"cluster_name": "musashino", "status": status, "unassigned_shards": 0}
    assert judge_cluster_health("OpenSearch", health) == {
        "engine": "OpenSearch",
        "cluster_status": status,
    }


def test_a_red_cluster_is_a_failure():
    health = {"cluster_name": "musashino", "status": "red", "unassigned_shards": 2}
    with pytest.raises(Unhealthy, match="cluster 'musashino' is red: 2 shard") as failure:
        judge_cluster_health("Elasticsearch", health)
    assert failure.value.details == {"engine": "Elasticsearch", "cluster_status": "red"}


# Who sees the details: loopback and HEALTHZ_ALLOWED_NETWORKS; others only the status.
PUBLIC_ADDRESS = "203.0.113.7"


def broken_broker(settings, monkeypatch):
    """An unreachable broker for the rest of the test (as in the test above)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")


def test_the_public_gets_only_ok(client, db):
    response = client.get("/healthz/", REMOTE_ADDR=PUBLIC_ADDRESS)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_public_gets_only_error_with_the_same_503(client, db, settings, monkeypatch):
    broken_broker(settings, monkeypatch)
    response = client.get("/healthz/", REMOTE_ADDR=PUBLIC_ADDRESS)
    assert response.status_code == 503
    assert response.json() == {"status": "error"}
    assert b"127.0.0.1" not in response.content and b"redis" not in response.content


def test_an_allow_listed_monitor_sees_the_details(client, db, settings, monkeypatch):
    broken_broker(settings, monkeypatch)
    settings.HEALTHZ_ALLOWED_NETWORKS = [ipaddress.ip_network("203.0.113.0/28")]
    body = client.get("/healthz/", REMOTE_ADDR=PUBLIC_ADDRESS).json()
    assert body["failed"] == ["broker"] and set(body["checks"]) == CHECKS
    outside = client.get("/healthz/", REMOTE_ADDR="203.0.113.16").json()
    assert outside == {"status": "error"}


def test_behind_the_proxy_the_resident_is_not_loopback(client, db, settings):
    """The proxy on the same host connects from 127.0.0.1; the header it sets
    names the visitor, and a probe without the header (the container
    healthcheck) is loopback."""
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    proxied = client.get("/healthz/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=PUBLIC_ADDRESS)
    assert proxied.json() == {"status": "ok"}
    probe = client.get("/healthz/", REMOTE_ADDR="127.0.0.1")
    assert set(probe.json()["checks"]) == CHECKS
    mapped = client.get("/healthz/", REMOTE_ADDR="::ffff:127.0.0.1")
    assert "checks" in mapped.json()
