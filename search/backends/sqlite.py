"""The SQLite FTS5 variant of the Japanese-aware database backend.

Imported only on SQLite: Wagtail's SQLite search module needs its FTS model.
"""

from modelsearch.backends.database.sqlite.query import (
    Lexeme,
    MatchExpression,
    SearchQueryExpression,
    normalize,
)
from modelsearch.utils import get_descendants_content_types_pks

from django.db.models import FloatField, Func, IntegerField
from django.db.models.functions import Cast

from wagtail.search.backends.database.sqlite.sqlite import (
    SQLiteAutocompleteQueryCompiler,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
    SQLiteSearchResults,
)
from wagtail.search.query import Phrase, PlainText

from .base import (
    JapaneseQueryMixin,
    RankedResultsMixin,
    SearchAllFieldsMixin,
    can_rank_in_one_pass,
    database_query,
)

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


def fts5_string(text):
    """`text` as one FTS5 string: in double quotes, its own double quotes doubled.

    Inside an FTS5 string nothing else is syntax (no operators, columns,
    prefixes or NEAR), so whatever a visitor typed is only ever words.
    """
    return '"' + text.replace('"', '""') + '"'


class QuotedLexeme(Lexeme):
    """A term of an FTS5 MATCH expression, always a quoted string.

    Wagtail's SQLite Lexeme puts the term between double quotes without
    doubling the ones inside it (and doubles single quotes and backslashes,
    which FTS5 takes literally): a term holding a double quote ended the
    string early and the rest was parsed as FTS5 syntax, a server error.
    """

    def as_sql(self, compiler, connection):
        return ("%s*" if self.prefix else "%s"), [fts5_string(self.value)]


class QuotedTermsMixin:
    """For SQLite query compilers: every term reaches FTS5 as a quoted string."""

    def build_search_query_content(self, query, config=None):
        if isinstance(query, PlainText):
            terms = query.query_string.split()
            if not terms:
                return None
            lexemes = QuotedLexeme(terms.pop(), prefix=self.LAST_TERM_IS_PREFIX)
            for term in terms:
                if query.operator == "and":
                    lexemes &= QuotedLexeme(term)
                else:
                    lexemes |= QuotedLexeme(term)
            return SearchQueryExpression(lexemes, config=config)
        if isinstance(query, Phrase):
            # One string of several words is an FTS5 phrase.
            return SearchQueryExpression(QuotedLexeme(query.query_string), config=config)
        return super().build_search_query_content(query, config=config)


class RankedSearchMixin:
    """Rank SQLite FTS matches in one pass.

    Wagtail's SQLite backend attaches each result's score with a correlated
    subquery, which runs the full-text match again for every matching row: a
    common word on 10,000 pages took seconds. Here the match runs once for
    the scores and once to apply the queryset's own filters; ordering and
    slicing happen on the ids.
    """

    def ranked_ids(self, config):
        """[(pk, score)] best first, for the whole queryset; computed once."""
        if getattr(self, "_ranked", None) is None:
            from wagtail.search.models import SQLiteFTSIndexEntry

            query = normalize(self.query)
            search_query = self.build_search_query(query, config=config)
            matches = SQLiteFTSIndexEntry.objects.filter(
                MatchExpression(self.fields or self.FTS_TABLE_FIELDS, search_query)
            ).filter(
                index_entry__content_type__in=get_descendants_content_types_pks(self.queryset.model)
            )
            rank = self._build_rank_expression(self.get_search_vectors(), config)
            scores = dict(
                matches.annotate(score=rank).values_list("index_entry__object_id", "score")
            )
            allowed = self.queryset.filter(
                pk__in=matches.values(
                    object_pk=Cast("index_entry__object_id", output_field=IntegerField())
                )
            ).values_list("pk", flat=True)
            # bm25 is lower for better matches.
            self._ranked = sorted(
                ((pk, scores[str(pk)]) for pk in allowed), key=lambda item: (item[1], -item[0])
            )
        return self._ranked

    def can_rank_in_one_pass(self):
        return can_rank_in_one_pass(self, normalize(self.query))


class RankedSQLiteSearchResults(RankedResultsMixin, SQLiteSearchResults):
    pass


class JapaneseSQLiteQueryCompiler(
    QuotedTermsMixin, RankedSearchMixin, SearchAllFieldsMixin, SQLiteSearchQueryCompiler
):
    def build_tsrank(self, vector, query, config=None, boost=1.0):
        # bm25() scores the row against the whole MATCH expression, whatever
        # its shape: Wagtail's product of (1 + bm25) per part of an And,
        # of negative numbers, could put the best match last.
        rank = WeightedBM25()
        return rank * boost if boost != 1.0 else rank

    def get_search_vectors(self):
        # Wagtail multiplies the whole-row rank by a title-length norm, which
        # favours pages with short titles wherever the match is; the weighted
        # bm25 above already scores title and body separately.
        return [(None, 1.0)]


class JapaneseSQLiteAutocompleteQueryCompiler(
    QuotedTermsMixin, RankedSearchMixin, SearchAllFieldsMixin, SQLiteAutocompleteQueryCompiler
):
    pass


class JapaneseSQLiteSearchBackend(JapaneseQueryMixin, SQLiteSearchBackend):
    query_compiler_class = JapaneseSQLiteQueryCompiler
    autocomplete_query_compiler_class = JapaneseSQLiteAutocompleteQueryCompiler
    results_class = RankedSQLiteSearchResults

    def supported_query(self, query):
        return database_query(query)
