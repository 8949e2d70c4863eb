"""What every Japanese-aware backend shares: queries analysed like the index."""

from modelsearch.backends.base import EmptySearchResults

from wagtail.search import index
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


def _plain(terms_found, operator="and"):
    return PlainText(" ".join(terms_found), operator=operator)


def units_query(units, operator="and"):
    """A Query for analysed units (search.analysis.QueryUnit), or "" for none.

    A unit without a reading is its terms; one with a reading is its terms
    OR its reading. With operator "and" every unit must match; units
    without readings share one PlainText, so a query of plain terms is
    compiled exactly as before readings existed.
    """
    units = units[:MAX_QUERY_TERMS]
    if not units:
        return ""
    if operator == "or":
        alternatives = []
        for unit in units:
            for found in unit.alternatives:
                alternatives.extend(term for term in found if term not in alternatives)
        return _plain(alternatives[:MAX_QUERY_TERMS], "or")
    plain = []
    parts = []
    for unit in units:
        if len(unit.alternatives) > 1:
            parts.append(Or([_plain(found) for found in unit.alternatives]))
        else:
            plain.extend(term for term in unit.terms if term not in plain)
    if plain:
        parts.insert(0, _plain(plain))
    return parts[0] if len(parts) == 1 else And(parts)


def autocomplete_query(text, operator="and"):
    """Autocomplete: the surfaces typed, or (for kana) the reading they start."""
    typed = analysis.autocomplete_terms(text)[:MAX_QUERY_TERMS]
    if not typed:
        return ""
    query = _plain(typed, operator)
    reading = analysis.autocomplete_reading(text)
    if reading and reading not in typed:
        return Or([query, _plain([reading], operator)])
    return query


def analyse_query(query, *, autocomplete=False, operator=None):
    """Rewrite a query (string or Query tree) into analysed terms.

    Plain text becomes its units (terms, or else readings; see
    search.analysis.query_units), matched with AND unless the caller chose
    an operator; autocomplete keeps what was typed (surfaces) so the last
    word matches as a prefix. A query with no terms left (only punctuation,
    say) becomes "", which backends answer with no results.
    """

    def plain_text(text, chosen):
        if autocomplete:
            return autocomplete_query(text, chosen)
        return units_query(analysis.query_units(text), chosen)

    if isinstance(query, str):
        return plain_text(query, operator or "and")
    if isinstance(query, PlainText):
        analysed = plain_text(query.query_string, query.operator)
        if isinstance(analysed, PlainText):
            analysed.boost = query.boost
        elif analysed != "" and query.boost != 1:
            analysed = Boost(analysed, query.boost)
        return analysed
    if isinstance(query, Phrase):
        text = " ".join(analysis.query_terms(query.query_string)[:MAX_QUERY_TERMS])
        return Phrase(text) if text else ""
    if isinstance(query, Fuzzy):
        text = " ".join(analysis.query_terms(query.query_string)[:MAX_QUERY_TERMS])
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


def database_query(query, *, keep_boosts=False):
    """`query` in the classes the database backends compile without extensions.

    Fuzzy matching needs PostgreSQL's pg_trgm (a server error without it)
    and SQLite has none: a Fuzzy query matches its terms. SQLite's bm25()
    scores the whole match at once, so a Boost there is its subquery;
    PostgreSQL ranks each part and keeps them (`keep_boosts`).
    """
    if isinstance(query, Fuzzy):
        return PlainText(query.query_string, operator=query.operator)
    if isinstance(query, Boost):
        inner = database_query(query.subquery, keep_boosts=keep_boosts)
        return Boost(inner, query.boost) if keep_boosts else inner
    if isinstance(query, (And, Or)):
        return type(query)(
            [database_query(sub, keep_boosts=keep_boosts) for sub in query.subqueries]
        )
    if isinstance(query, Not):
        return Not(database_query(query.subquery, keep_boosts=keep_boosts))
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


OPERATORS = ("and", "or")


def check_operators(query, operator=None):
    """Raise ValueError for an operator Wagtail does not know, as its own backends do.

    The analysed query is rebuilt with "and" or "or", which would otherwise
    quietly turn a mistyped operator into one of them.
    """
    if operator is not None and operator.lower() not in OPERATORS:
        raise ValueError(f"operator must be one of: {', '.join(OPERATORS)}, not {operator!r}")
    if isinstance(query, (PlainText, Fuzzy)):
        check_operators(None, query.operator)
    elif isinstance(query, (And, Or)):
        for sub in query.subqueries:
            check_operators(sub)
    elif isinstance(query, (Boost, Not)):
        check_operators(query.subquery)


class JapaneseQueryMixin:
    """Mixed into a Wagtail search backend: analyse every query before compiling it."""

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        check_operators(query, kwargs.get("operator"))
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
    only the index holds the analysed Japanese, so search that. A search of
    the title alone searches the title column, which holds it analysed. A
    name that is no search field of the model is still an error (FieldError).
    """

    def __init__(self, queryset, query, fields=None, **kwargs):
        self.requested_fields = fields
        # Autocomplete has one column of its own, titles included.
        title_only = (
            fields is not None
            and set(fields) == {"title"}
            and not issubclass(self.TARGET_SEARCH_FIELD_TYPE, index.AutocompleteField)
        )
        super().__init__(queryset, query, fields=["title"] if title_only else None, **kwargs)

    def check(self):
        searched, self.fields = self.fields, self.requested_fields
        try:
            super().check()
        finally:
            self.fields = searched


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
