"""The PostgreSQL variant of the Japanese-aware database backend."""

from wagtail.search.backends.database.postgres.postgres import (
    PostgresAutocompleteQueryCompiler,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)

from .base import JapaneseQueryMixin, SearchAllFieldsMixin


class JapanesePostgresQueryCompiler(SearchAllFieldsMixin, PostgresSearchQueryCompiler):
    pass


class JapanesePostgresAutocompleteQueryCompiler(
    SearchAllFieldsMixin, PostgresAutocompleteQueryCompiler
):
    pass


class JapanesePostgresSearchBackend(JapaneseQueryMixin, PostgresSearchBackend):
    query_compiler_class = JapanesePostgresQueryCompiler
    autocomplete_query_compiler_class = JapanesePostgresAutocompleteQueryCompiler

    def __init__(self, params):
        super().__init__({"SEARCH_CONFIG": "simple", **params})
