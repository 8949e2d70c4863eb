"""Shared fixtures.

The demo content (the seeds) is loaded once into the test database; tests
that need precise data build it with the factories in tests/factories.
"""

import os
from pathlib import Path

import pytest

from django.conf import settings
from django.db import connection


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from cms.demo.loader import load_demo_content

    with django_db_blocker.unblock():
        load_demo_content()


SAMPLES = Path(__file__).resolve().parent.parent / "matching" / "samples"


@pytest.fixture
def civic_data(db):
    """The sample import file (groups, opportunities, skills) on top of the demo content."""
    from matching.importer import import_civic_data, load_file

    return import_civic_data(load_file(SAMPLES / "civic_data.json"))


@pytest.fixture
def home(db):
    from home.models import HomePage

    return HomePage.objects.get()


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST and run what the view queued on commit (the e-mail tasks), as a
    real request's transaction would. Headers as keyword arguments."""

    def post(url, data=None, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, headers=headers)

    return post


@pytest.fixture
def admin_client_ja(client, django_user_model, db):
    user = django_user_model.objects.get(username="admin")
    client.force_login(user)
    return client


def services_missing_reason():
    """Why the service-backed tests cannot run here, or None when they can."""
    if connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL (make test-services)"
    if not settings.CELERY_BROKER_URL:
        return "needs a Celery broker: set REDIS_URL / CELERY_BROKER_URL (make test-services)"
    return None


@pytest.fixture
def require_services():
    """Skip, with the reason, when services are absent; fail if CI requires them."""
    reason = services_missing_reason()
    if reason:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test starts without cached search vocabulary or matching engine.

    Both are keyed by versions kept in the cache; a test's rolled-back data
    must not be served to the next test from them.
    """
    from django.core.cache import cache

    from matching import services

    cache.clear()
    services._local.__dict__.clear()
    yield


def search_engine_url():
    """The OpenSearch (or Elasticsearch) node the tests may use, or None."""
    return os.environ.get("OPENSEARCH_URL") or None


@pytest.fixture
def require_search_engine():
    """The engine's URL; skip, with the reason, when there is none; fail if CI requires one.

    `make opensearch` starts a node and prints OPENSEARCH_URL; `make
    test-services` and CI set REQUIRE_SEARCH_ENGINE=1.
    """
    url = search_engine_url()
    if url is None:
        reason = "needs a search engine: set OPENSEARCH_URL (make opensearch)"
        if os.environ.get("REQUIRE_SEARCH_ENGINE") == "1":
            pytest.fail(f"REQUIRE_SEARCH_ENGINE=1 but {reason}")
        pytest.skip(reason)
    return url
