"""The PostgreSQL variant of the Japanese-aware database backend."""

import operator
from functools import reduce

from modelsearch.utils import get_descendants_content_types_pks

from django.db import connection
from django.db.models import F, IntegerField, Q
from django.db.models.functions import Cast

from wagtail.search.backends.database.postgres.postgres import (
    PostgresAutocompleteQueryCompiler,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
    PostgresSearchResults,
)
from wagtail.search.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText

from .base import (
    JapaneseQueryMixin,
    RankedResultsMixin,
    SearchAllFieldsMixin,
    can_rank_in_one_pass,
    database_query,
)


class RankedPostgresMixin:
    """Match and rank on the index table alone, then keep what the queryset allows.

    Wagtail's PostgreSQL backend joins pages to the index on a text cast of
    the id and matches title || body, an expression no index covers: the
    planner misjudges the join and a common word on 10,000 pages took
    seconds. Here the rows come from the GIN indexes of the title and the
    body columns (see match_condition), so a word found only in a title, or
    one word in the title and another in the body, matches as it does in
    Wagtail; the scores come from the same rows, and the queryset's own
    filters apply through an IN subquery.
    """

    MATCHED_COLUMNS = ("title", "body")

    def index_vectors(self):
        return [(F("title"), F("title_norm")), (F("body"), 1.0)]

    def ranked_ids(self, config):
        if getattr(self, "_ranked", None) is None:
            from wagtail.search.models import IndexEntry

            search_query = self.build_tsquery(self.query, config=config)
            rank = None
            for vector, boost in self.index_vectors():
                part = self.build_tsrank(vector, self.query, config=config) * boost
                rank = part if rank is None else rank + part
            matches = IndexEntry.objects.filter(
                self.match_condition(search_query, config),
                content_type__in=get_descendants_content_types_pks(self.queryset.model),
            )
            scores = dict(matches.annotate(score=rank).values_list("object_id", "score"))
            allowed = self.queryset.filter(
                pk__in=matches.values(object_pk=Cast("object_id", output_field=IntegerField()))
            ).values_list("pk", flat=True)
            # ts_rank is higher for better matches.
            self._ranked = sorted(
                ((pk, scores[str(pk)]) for pk in allowed), key=lambda item: (-item[1], -item[0])
            )
        return self._ranked

    def matched_columns(self):
        """The index columns searched: the title alone when the caller named only it."""
        if self.fields == ["title"]:
            return ("title",)
        return self.MATCHED_COLUMNS

    def match_condition(self, search_query, config):
        """Q: the rows whose searched columns, taken together, match the query.

        With one column, the query itself. With title and body, each word
        (a leaf of the query) is matched in either column, and the words
        combine as the query says: what title || body @@ query means, but
        every part through a GIN index (no index covers title || body).
        """
        columns = self.matched_columns()
        if len(columns) == 1:
            return Q(**{columns[0]: search_query})
        return self.either_column(self.query, columns, config)

    def either_column(self, query, columns, config):
        if isinstance(query, PlainText):
            terms = query.query_string.split()
            if len(terms) > 1:
                words = [PlainText(term) for term in terms]
                tree = And(words) if query.operator == "and" else Or(words)
                return self.either_column(tree, columns, config)
        if isinstance(query, (PlainText, Phrase)):
            word = self.build_tsquery(query, config=config)
            return reduce(operator.or_, (Q(**{column: word}) for column in columns))
        if isinstance(query, (And, Or)):
            parts = [self.either_column(sub, columns, config) for sub in query.subqueries]
            return reduce(operator.and_ if isinstance(query, And) else operator.or_, parts)
        if isinstance(query, Boost):
            return self.either_column(query.subquery, columns, config)
        if isinstance(query, Not):
            return ~self.either_column(query.subquery, columns, config)
        if isinstance(query, MatchAll):
            return Q()
        raise NotImplementedError(f"{type(query).__name__} is not supported here.")

    def can_rank_in_one_pass(self):
        return not isinstance(self.query, Fuzzy) and can_rank_in_one_pass(self, self.query)

    def build_tsquery_content(self, query, config=None, invert=False):
        # A Boost weighs in the rank (build_tsrank); it matches what it wraps,
        # without Wagtail's "not supported" warning in the log on every search.
        if isinstance(query, Boost):
            return self.build_tsquery_content(query.subquery, config=config, invert=invert)
        # Wagtail negates each word of a negated PlainText but keeps its
        # operator, so Not("a b") excluded every row with a OR b, where it
        # should exclude those with both (De Morgan, as Wagtail does for
        # And/Or). English stop words hid this ("the" is dropped); analysed
        # Japanese keeps every word.
        terms = query.query_string.split() if isinstance(query, PlainText) else []
        if invert and len(terms) > 1:
            words = [PlainText(term) for term in terms]
            tree = And(words) if query.operator == "and" else Or(words)
            return self.build_tsquery_content(tree, config=config, invert=invert)
        return super().build_tsquery_content(query, config=config, invert=invert)


class JapanesePostgresQueryCompiler(
    RankedPostgresMixin, SearchAllFieldsMixin, PostgresSearchQueryCompiler
):
    pass


class JapanesePostgresAutocompleteQueryCompiler(
    RankedPostgresMixin, SearchAllFieldsMixin, PostgresAutocompleteQueryCompiler
):
    MATCHED_COLUMNS = ("autocomplete",)

    def index_vectors(self):
        return [(F("autocomplete"), 1.0)]


class RankedPostgresSearchResults(RankedResultsMixin, PostgresSearchResults):
    pass


class JapanesePostgresSearchBackend(JapaneseQueryMixin, PostgresSearchBackend):
    query_compiler_class = JapanesePostgresQueryCompiler
    autocomplete_query_compiler_class = JapanesePostgresAutocompleteQueryCompiler
    results_class = RankedPostgresSearchResults

    def __init__(self, params):
        super().__init__({"SEARCH_CONFIG": "simple", **params})

    def supported_query(self, query):
        # Boosts weigh in the rank here (build_tsrank). A Fuzzy query is
        # Wagtail's trigram match once `manage.py enable_trigram` has
        # installed pg_trgm; without it, its words (not a server error).
        if isinstance(query, Fuzzy) and trigram_available():
            return query
        return database_query(query, keep_boosts=True)


def trigram_available():
    """True when the database has PostgreSQL's pg_trgm extension (Wagtail's fuzzy search)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None
