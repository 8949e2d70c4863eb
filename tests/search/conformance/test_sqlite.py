"""Wagtail's search-backend suite on SQLite FTS5 (search.backends.database)."""

from modelsearch.tests import test_sqlite_backend as upstream

from django.test import TestCase, override_settings

from .suite import ProjectBackendMixin, settings_for


@override_settings(**settings_for({"BACKEND": "search.backends.database"}))
class TestJapaneseSQLiteBackend(ProjectBackendMixin, upstream.TestSQLiteSearchBackend, TestCase):
    backend_path = "search.backends.database"
