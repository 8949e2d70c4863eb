"""The PostgreSQL variant of the Japanese-aware database backend."""

from modelsearch.utils import get_descendants_content_types_pks

from django.db.models import F, IntegerField
from django.db.models.functions import Cast

from wagtail.search.backends.database.postgres.postgres import (
    PostgresAutocompleteQueryCompiler,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
    PostgresSearchResults,
)
from wagtail.search.query import Fuzzy

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
    seconds. Here the match uses the GIN index of one column (the body also
    holds the title, see search.index.page_search_fields), the scores come
    from the index rows, and the queryset's own filters apply through an
    IN subquery.
    """

    MATCHED_COLUMN = "body"

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
                content_type__in=get_descendants_content_types_pks(self.queryset.model),
                **{self.MATCHED_COLUMN: search_query},
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

    def can_rank_in_one_pass(self):
        return not isinstance(self.query, Fuzzy) and can_rank_in_one_pass(self, self.query)


class JapanesePostgresQueryCompiler(
    RankedPostgresMixin, SearchAllFieldsMixin, PostgresSearchQueryCompiler
):
    pass


class JapanesePostgresAutocompleteQueryCompiler(
    RankedPostgresMixin, SearchAllFieldsMixin, PostgresAutocompleteQueryCompiler
):
    MATCHED_COLUMN = "autocomplete"

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
        return database_query(query)
