"""/healthz/: is this instance able to serve? For load balancers, compose
healthchecks and monitoring. Each dependency is checked with a short timeout;
the answer is 200 when all are fine and 503 (naming what failed) otherwise.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

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


def check_search():
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    client = getattr(backend, "es", None) or getattr(backend, "client", None)
    if client is not None and hasattr(client, "ping"):
        if not client.ping():
            raise RuntimeError("Elasticsearch did not answer")
        return None
    return "database search"


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "search": check_search,
    "pending_tasks": check_pending_tasks,
}


@never_cache
def healthz(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            note = check()
            result = {"ok": True}
            if note:
                result["note"] = note
        except Exception as error:  # any failure is the answer, not a 500
            healthy = False
            result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
