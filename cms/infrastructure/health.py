"""/healthz/: is this instance able to serve? For load balancers, compose
healthchecks and monitoring. Each dependency is checked with a short timeout;
the answer is 200 when all are fine and 503 (naming what failed) otherwise.

The search check says which engine the site searches with (OpenSearch,
Elasticsearch or the database) and, for an engine, its cluster health: red
(a primary shard missing: searches fail or miss pages) is a failure; yellow
is fine, since a single node never places the replicas the engine asks for.

The details name internal hosts and error messages: only loopback (the
container healthcheck, a probe on the same host) and the networks in
HEALTHZ_ALLOWED_NETWORKS see them. Anyone else gets {"status": "ok"} or
{"status": "error"} with the same status code, which is all a load balancer
needs.
"""

import ipaddress
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .abuse import client_ip

TIMEOUT_SECONDS = 3


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "inline (no broker configured)"
    from kombu import Connection

    from cms.celery import app

    with Connection(app.conf.broker_url, connect_timeout=TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
        conn.default_channel  # noqa: B018 - opening a channel talks to the broker (Redis is lazy)
    return None


def check_pending_tasks():
    """Work kept in the database during an outage is a note, not a failure."""
    from .models import PendingTask

    count = PendingTask.objects.count()
    return f"{count} task(s) waiting to be sent again" if count else None


class Unhealthy(Exception):
    """A dependency failed; `details` go into its entry of the answer."""

    def __init__(self, message, **details):
        super().__init__(message)
        self.details = details


# The Python package of a backend's client, and the engine it speaks to.
ENGINE_CLIENTS = {"opensearchpy": "OpenSearch", "elasticsearch": "Elasticsearch"}


def search_engine(backend):
    """The engine behind a Wagtail search backend: (name, client), or
    ("database", None) for Wagtail's database search."""
    client = getattr(backend, "es", None)
    if client is None:
        return "database", None
    package = type(client).__module__.partition(".")[0]
    return ENGINE_CLIENTS.get(package, type(client).__name__), client


def cluster_health(client):
    """The engine's _cluster/health, asked once, within TIMEOUT_SECONDS."""
    if hasattr(client, "options"):  # elasticsearch-py 8 and later
        return client.options(request_timeout=TIMEOUT_SECONDS, max_retries=0).cluster.health()
    return client.cluster.health(request_timeout=TIMEOUT_SECONDS)


def check_search():
    from wagtail.search.backends import get_search_backend

    engine, client = search_engine(get_search_backend())
    if client is None:
        return {"engine": engine}
    try:
        health = cluster_health(client)
    except Exception as error:
        raise Unhealthy(
            f"no cluster health from {engine} within {TIMEOUT_SECONDS} s: "
            f"{type(error).__name__}: {error}",
            engine=engine,
        ) from error
    return judge_cluster_health(engine, health)


def judge_cluster_health(engine, health):
    """The search check's details from an engine's _cluster/health answer.

    Red (a primary shard unassigned) raises Unhealthy; yellow passes.
    """
    details = {"engine": engine, "cluster_status": health["status"]}
    if health["status"] == "red":
        raise Unhealthy(
            f"{engine} cluster {health.get('cluster_name', '')!r} is red: "
            f"{health.get('unassigned_shards', '?')} shard(s) unassigned",
            **details,
        )
    return details


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "search": check_search,
    "pending_tasks": check_pending_tasks,
}


def may_see_details(request):
    """Loopback or an allow-listed monitor (HEALTHZ_ALLOWED_NETWORKS), with
    the client's address as the proxy reports it (abuse.client_ip)."""
    address = ipaddress.ip_address(client_ip(request))
    if address.version == 6 and address.ipv4_mapped:  # ::ffff:127.0.0.1
        address = address.ipv4_mapped
    return address.is_loopback or any(
        address in network for network in settings.HEALTHZ_ALLOWED_NETWORKS
    )


@never_cache
def healthz(request):
    results, failed = {}, []
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            outcome = check()
            result = {"ok": True}
            if isinstance(outcome, dict):
                result.update(outcome)
            elif outcome:
                result["note"] = outcome
        except Unhealthy as error:
            failed.append(name)
            result = {"ok": False, "error": str(error)[:300], **error.details}
        except Exception as error:  # any failure is the answer, not a 500
            failed.append(name)
            result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    status = 503 if failed else 200
    if not may_see_details(request):
        return JsonResponse({"status": "error" if failed else "ok"}, status=status)
    # What failed comes first: the container healthcheck logs the answer's start.
    body = {"status": "error", "failed": failed} if failed else {"status": "ok"}
    body["checks"] = results
    return JsonResponse(body, status=status)
