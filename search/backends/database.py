"""Wagtail's database search, made to understand Japanese.

`WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}`
picks the variant for the default database, as Wagtail's own database
backend does: SQLite FTS5 (search.backends.sqlite), PostgreSQL full-text
search with the 'simple' configuration (search.backends.postgres: the terms
arrive analysed, PostgreSQL must not stem them), or the plain fallback.
"""

from django.db import connection

from wagtail.search.backends.database.fallback import DatabaseSearchBackend

from .base import JapaneseQueryMixin, database_query


class JapaneseFallbackSearchBackend(JapaneseQueryMixin, DatabaseSearchBackend):
    def supported_query(self, query):
        return database_query(query)


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up
    """The Japanese-aware backend for the default database's vendor."""
    if connection.vendor == "postgresql":
        from .postgres import JapanesePostgresSearchBackend

        return JapanesePostgresSearchBackend(params)
    if connection.vendor == "sqlite":
        from wagtail.search.backends.database.sqlite.utils import fts5_available, fts_table_exists

        if fts5_available() and fts_table_exists():
            from .sqlite import JapaneseSQLiteSearchBackend

            return JapaneseSQLiteSearchBackend(params)
    return JapaneseFallbackSearchBackend(params)
