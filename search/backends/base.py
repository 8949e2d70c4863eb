"""What every Japanese-aware backend shares: queries analysed like the index."""

from modelsearch.backends.base import EmptySearchResults

from wagtail.search.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText

from search import analysis

try:  # Not every Wagtail release exposes AndNot at this path.
    from wagtail.search.query import AndNot
except ImportError:  # pragma: no cover
    AndNot = None

# A pasted paragraph can hold hundreds of distinct terms; the database
# backends compile each into a nested expression and overflow Python's
# stack (a RecursionError, so a server error) well before 300. Past a few
# dozen terms an AND query finds nothing more precise anyway.
MAX_QUERY_TERMS = 32


def analyse_query(query, *, autocomplete=False, operator=None):
    """Rewrite a query (string or Query tree) into analysed terms.

    Plain text becomes its terms joined by spaces, matched with AND unless the
    caller chose an operator; autocomplete keeps what was typed (surfaces) so
    the last word matches as a prefix. A query with no terms left (only
    punctuation, say) becomes "", which backends answer with no results.
    """
    analyse = analysis.autocomplete_terms if autocomplete else analysis.query_terms

    def words(text):
        return analyse(text)[:MAX_QUERY_TERMS]

    if isinstance(query, str):
        text = " ".join(words(query))
        return PlainText(text, operator=operator or "and") if text else ""
    if isinstance(query, PlainText):
        text = " ".join(words(query.query_string))
        return PlainText(text, operator=query.operator, boost=query.boost) if text else ""
    if isinstance(query, Phrase):
        text = " ".join(analysis.query_terms(query.query_string)[:MAX_QUERY_TERMS])
        return Phrase(text) if text else ""
    if isinstance(query, Fuzzy):
        text = " ".join(words(query.query_string))
        return Fuzzy(text, operator=query.operator, unaccent=query.unaccent) if text else ""
    if isinstance(query, Boost):
        inner = analyse_query(query.subquery, autocomplete=autocomplete)
        return Boost(inner, query.boost) if inner != "" else ""
    if isinstance(query, (And, Or)):
        parts = [analyse_query(sub, autocomplete=autocomplete) for sub in query.subqueries]
        parts = [part for part in parts if part != ""]
        return type(query)(parts) if parts else ""
    if isinstance(query, Not):
        inner = analyse_query(query.subquery, autocomplete=autocomplete)
        return Not(inner) if inner != "" else ""
    if AndNot is not None and isinstance(query, AndNot):
        kept = analyse_query(query.subquery_a, autocomplete=autocomplete)
        excluded = analyse_query(query.subquery_b, autocomplete=autocomplete)
        if kept == "" or excluded == "":
            return kept
        return AndNot(kept, excluded)
    if isinstance(query, MatchAll):
        return query
    return query


def database_query(query):
    """`query` in the classes the database backends compile without extensions.

    Fuzzy matching needs PostgreSQL's pg_trgm (a server error without it)
    and SQLite has none; per-query boosts are ignored by both (PostgreSQL
    warns in the log each time). A Fuzzy query matches its terms, a Boost
    its subquery.
    """
    if isinstance(query, Fuzzy):
        return PlainText(query.query_string, operator=query.operator)
    if isinstance(query, Boost):
        return database_query(query.subquery)
    if isinstance(query, (And, Or)):
        return type(query)([database_query(sub) for sub in query.subqueries])
    if isinstance(query, Not):
        return Not(database_query(query.subquery))
    return query


class NoResults(EmptySearchResults):
    """No results, for a model: what a query without terms finds.

    Wagtail's own empty results have no model, and the admin's listings read
    the model from what a search returns (a server error for a search of
    only punctuation).
    """

    def __init__(self, model):
        super().__init__()
        self.model = model

    def _clone(self):
        return self.__class__(self.model)


class JapaneseQueryMixin:
    """Mixed into a Wagtail search backend: analyse every query before compiling it."""

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        autocomplete = issubclass(query_compiler_class, self.autocomplete_query_compiler_class)
        query = analyse_query(query, autocomplete=autocomplete, operator=kwargs.get("operator"))
        if query == "":
            model = getattr(model_or_queryset, "model", model_or_queryset)
            return NoResults(model)
        return super()._search(
            query_compiler_class, self.supported_query(query), model_or_queryset, **kwargs
        )

    def supported_query(self, query):
        """The query in the classes this backend compiles (all of them, by default)."""
        return query


class SearchAllFieldsMixin:
    """For query compilers: a search limited to named fields searches all indexed text.

    The admin's listings search snippets by named fields. The database
    backends answer such searches from the raw columns (PostgreSQL) or fail
    (SQLite's FTS table has only title and body columns: "no such column");
    only the index holds the analysed Japanese, so search that.
    """

    def __init__(self, queryset, query, fields=None, **kwargs):
        super().__init__(queryset, query, fields=None, **kwargs)


class RankedResultsMixin:
    """For results classes whose compiler ranks matches in one pass (ranked_ids).

    Fetches the page of results by id, in rank order; counts without a
    second ranking. Falls back to Wagtail's way for queries it cannot rank
    this way (match-all, negation, ordering by something else).
    """

    def _do_search(self):
        compiler = self.query_compiler
        if not compiler.can_rank_in_one_pass():
            return super()._do_search()
        ranked = compiler.ranked_ids(compiler.get_config(self.backend))[self.start : self.stop]
        objects = compiler.queryset.in_bulk([pk for pk, _score in ranked])
        results = []
        for pk, score in ranked:
            obj = objects.get(pk)
            if obj is not None:
                if self._score_field:
                    setattr(obj, self._score_field, score)
                results.append(obj)
        return results

    def _do_count(self):
        compiler = self.query_compiler
        if not compiler.can_rank_in_one_pass():
            return super()._do_count()
        return len(compiler.ranked_ids(compiler.get_config(self.backend))[self.start : self.stop])


def can_rank_in_one_pass(compiler, query):
    from wagtail.search.query import MatchAll, Not

    return (
        compiler.order_by_relevance
        and not isinstance(query, (MatchAll, Not))
        and compiler.queryset.model._meta.pk.get_internal_type()
        in ("AutoField", "BigAutoField", "IntegerField")
    )
