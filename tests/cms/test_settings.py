"""Every backend the settings can choose is exercised here."""

import importlib

import pytest

from cms.settings.base import search_backends


def test_database_search_backend_by_default():
    assert search_backends() == {"default": {"BACKEND": "search.backends.database"}}


def test_elasticsearch_url_selects_the_elasticsearch9_backend(db):
    config = search_backends(elasticsearch_url="http://search.internal:9200")["default"]
    assert config["BACKEND"] == "search.backends.elasticsearch9"
    assert config["URLS"] == ["http://search.internal:9200"]
    # The backend class must exist in this Wagtail and accept the settings
    # (building it opens no connection; the index is created on first use).
    module = importlib.import_module(config["BACKEND"])
    backend = module.SearchBackend(dict(config))
    from wagtail.models import Page

    assert backend.get_index_for_model(Page).name == "musashino_wagtailcore_page"


def test_opensearch_url_selects_the_opensearch_backend(db):
    config = search_backends("http://os1:9200, http://os2:9200")["default"]
    assert config["BACKEND"] == "search.backends.opensearch"
    # Several nodes, and no downtime while update_index rebuilds.
    assert config["URLS"] == ["http://os1:9200", "http://os2:9200"]
    assert config["ATOMIC_REBUILD"] is True
    module = importlib.import_module(config["BACKEND"])
    backend = module.SearchBackend(dict(config))
    from wagtail.models import Page

    assert backend.get_index_for_model(Page).name == "musashino_wagtailcore_page"
    assert [host["host"] for host in backend.hosts] == ["os1", "os2"]


def test_opensearch_wins_when_both_urls_are_set():
    config = search_backends("http://os:9200", "http://es:9200")["default"]
    assert config["BACKEND"] == "search.backends.opensearch"
    assert config["URLS"] == ["http://os:9200"]


def test_environment_selects_opensearch(monkeypatch):
    monkeypatch.setenv("OPENSEARCH_URL", "http://127.0.0.1:9200")
    monkeypatch.setenv("SEARCH_INDEX_PREFIX", "tokyo_")
    import cms.settings.base as base

    try:
        reloaded = importlib.reload(base)
        config = reloaded.WAGTAILSEARCH_BACKENDS["default"]
        assert config["BACKEND"] == "search.backends.opensearch"
        assert config["INDEX_PREFIX"] == "tokyo_"
    finally:
        monkeypatch.undo()
        importlib.reload(base)


def test_environment_selects_postgresql_and_redis(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/musashino")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    import cms.settings.base as base

    try:
        reloaded = importlib.reload(base)
        assert reloaded.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        assert reloaded.CACHES["default"]["BACKEND"].endswith("RedisCache")
        assert reloaded.CELERY_BROKER_URL == "redis://127.0.0.1:6379/0"
        assert reloaded.CELERY_TASK_ALWAYS_EAGER is False
    finally:
        monkeypatch.undo()
        importlib.reload(base)


def test_embedded_defaults_without_environment(monkeypatch):
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "ELASTICSEARCH_URL",
        "OPENSEARCH_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    import cms.settings.base as base

    try:
        reloaded = importlib.reload(base)
        assert reloaded.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        assert reloaded.CELERY_TASK_ALWAYS_EAGER is True
        assert reloaded.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] == "search.backends.database"
        assert reloaded.LANGUAGE_CODE == "ja" and reloaded.TIME_ZONE == "Asia/Tokyo"
    finally:
        monkeypatch.undo()
        importlib.reload(base)


def test_production_settings_refuse_to_start_without_a_secret(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    import sys

    sys.modules.pop("cms.settings.production", None)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        importlib.import_module("cms.settings.production")
