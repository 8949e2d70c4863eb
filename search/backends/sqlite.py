"""The SQLite FTS5 variant of the Japanese-aware database backend.

Imported only on SQLite: Wagtail's SQLite search module needs its FTS model.
"""

from django.db.models import FloatField, Func

from wagtail.search.backends.database.sqlite.sqlite import (
    SQLiteAutocompleteQueryCompiler,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
)
from wagtail.search.query import Not, Phrase, PlainText

from .base import JapaneseQueryMixin, SearchAllFieldsMixin

# FTS5 normalises bm25 by the length of the whole row, so a short body that
# repeats a word can outscore a title; a strong title weight keeps "titles
# weigh more than bodies" true (the query table checks it).
SQLITE_TITLE_WEIGHT = 10


class WeightedBM25(Func):
    """FTS5's bm25() with column weights, so titles outrank bodies on SQLite.

    Wagtail's SQLite backend ranks with unweighted bm25(), which ignores
    field boosts; the FTS table's columns are (autocomplete, body, title).
    """

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        from wagtail.search.models import SQLiteFTSIndexEntry

        weights = f"1.0, 1.0, {float(SQLITE_TITLE_WEIGHT)}"
        return f"bm25({SQLiteFTSIndexEntry._meta.db_table}, {weights})", []


class JapaneseSQLiteQueryCompiler(SearchAllFieldsMixin, SQLiteSearchQueryCompiler):
    def build_tsrank(self, vector, query, config=None, boost=1.0):
        if isinstance(query, (Phrase, PlainText, Not)):
            rank = WeightedBM25()
            return rank * boost if boost != 1.0 else rank
        return super().build_tsrank(vector, query, config=config, boost=boost)

    def get_search_vectors(self):
        # Wagtail multiplies the whole-row rank by a title-length norm, which
        # favours pages with short titles wherever the match is; the weighted
        # bm25 above already scores title and body separately.
        return [(None, 1.0)]


class JapaneseSQLiteAutocompleteQueryCompiler(
    SearchAllFieldsMixin, SQLiteAutocompleteQueryCompiler
):
    pass


class JapaneseSQLiteSearchBackend(JapaneseQueryMixin, SQLiteSearchBackend):
    query_compiler_class = JapaneseSQLiteQueryCompiler
    autocomplete_query_compiler_class = JapaneseSQLiteAutocompleteQueryCompiler
