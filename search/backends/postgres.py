"""The PostgreSQL variant of the Japanese-aware database backend."""

from wagtail.search.backends.database.postgres.postgres import PostgresSearchBackend

from .base import JapaneseQueryMixin


class JapanesePostgresSearchBackend(JapaneseQueryMixin, PostgresSearchBackend):
    def __init__(self, params):
        super().__init__({"SEARCH_CONFIG": "simple", **params})
