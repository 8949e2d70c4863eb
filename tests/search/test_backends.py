import pytest

from wagtail.models import Page
from wagtail.search import index
from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Boost, Fuzzy, Not, Or, Phrase, PlainText

from cms.core.models import Area, ContactPoint
from cms.plan.models import Measure
from search.backends.base import analyse_query
from search.index import JapaneseAutocompleteField, JapaneseSearchField, page_search_fields


def test_plain_query_is_analysed_and_all_words_are_required():
    query = analyse_query("つながる子育てｶﾌｪ")
    assert isinstance(query, And)
    # Each word: as written, or else read (ツナガル is the reading of 繋がる).
    assert [
        [(part.query_string, part.operator) for part in word.subqueries]
        for word in query.subqueries
    ] == [
        [("繋がる", "and"), ("ツナガル", "and")],
        [("子育て", "and"), ("コソダテ", "and")],
        [("カフェ", "and"), ("カフエ", "and")],
    ]


def test_words_without_readings_stay_one_plain_query():
    query = analyse_query("NPO 2026")
    assert isinstance(query, PlainText)
    assert (query.query_string, query.operator) == ("npo 2026", "and")


def test_a_chosen_operator_is_kept():
    assert analyse_query("子育て カフェ", operator="or").operator == "or"


def test_query_objects_are_analysed_inside():
    query = analyse_query(
        And([Phrase("子育てカフェ"), Not(PlainText("ｶﾌｪ")), Or([PlainText("NPO")])])
    )
    phrase, negated, either = query.subqueries
    assert phrase.query_string == "子育て カフェ"
    assert [part.query_string for part in negated.subquery.subqueries] == ["カフェ", "カフエ"]
    assert either.subqueries[0].query_string == "npo"


def test_query_without_words_becomes_empty():
    assert analyse_query("「」・！") == ""


def test_autocomplete_keeps_what_was_typed_for_prefixes():
    assert analyse_query("つながる子育", autocomplete=True).query_string == "つながる 子育"


def test_page_search_fields_keep_every_core_page_field_but_the_title():
    ours = page_search_fields()
    for field in Page.search_fields:
        if field.field_name == "title" and not isinstance(field, index.FilterField):
            continue
        assert field in ours
    assert any(isinstance(f, JapaneseSearchField) and f.field_name == "title" for f in ours)
    assert any(isinstance(f, JapaneseAutocompleteField) and f.field_name == "title" for f in ours)


@pytest.mark.django_db
def test_autocomplete_finds_japanese_prefixes():
    results = Page.objects.live().autocomplete("子育")
    assert "第3回 つながる子育てカフェ in 武蔵野" in [page.title for page in results]


@pytest.mark.django_db
def test_snippet_search_by_fields_does_not_fail():
    """The admin searches snippets by named fields; SQLite's FTS has no such columns."""
    backend = get_search_backend()
    results = backend.autocomplete("緑町", Area, fields=["name"])
    assert [area.name for area in results] == ["緑町"]
    results = backend.search("市民活動推進課", ContactPoint, fields=["section", "department"])
    assert [str(c) for c in results] == ["市民部 市民活動推進課"]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "子育て*",
        "AND",
        "OR NOT",
        "NEAR(a b)",
        "a:b",
        "'; DROP TABLE wagtailcore_page; --",
        "-",
        "^",
        "(((",
        "\x00",
    ],
)
@pytest.mark.django_db
def test_search_syntax_in_queries_is_just_text(query):
    list(Page.objects.live().search(query))
    list(Page.objects.live().autocomplete(query))


@pytest.mark.django_db
def test_a_search_of_only_punctuation_finds_nothing_the_admin_can_list():
    """The admin reads the model from a search's results (a 500 for "*" before)."""
    results = get_search_backend().autocomplete("*", Area, fields=["name"])
    assert results.model is Area
    assert (list(results), results.count(), list(results[:5])) == ([], 0, [])


@pytest.mark.django_db
def test_quotes_and_operators_inside_a_term_are_searched_as_text():
    pages = Page.objects.live()
    assert list(pages.search(PlainText("\"'()*:^-+~"))) == []
    titles = [page.title for page in pages.search(Phrase('子育て"カフェ'))]
    assert "第3回 つながる子育てカフェ in 武蔵野" in titles


@pytest.mark.parametrize(
    "query",
    [Fuzzy("子育て"), Boost(PlainText("子育て"), 2.0), Or([Fuzzy("子育て"), Phrase("防災")])],
)
@pytest.mark.django_db
def test_fuzzy_and_boosted_queries_find_their_terms_on_the_database(query):
    """The database backends have no fuzzy matching (PostgreSQL only with
    pg_trgm): such queries match their terms, boosted or not."""
    titles = [page.title for page in Page.objects.live().search(query)]
    assert "第3回 つながる子育てカフェ in 武蔵野" in titles


@pytest.mark.django_db
def test_a_word_only_in_a_title_finds_it():
    """PostgreSQL matched the body column only: a measure's title went unsearched."""
    from tests.factories import MeasureFactory

    MeasureFactory(title="防災ボランティアの育成", description="地域の担い手を育てます。")
    results = get_search_backend().search("防災", Measure)
    assert [measure.title for measure in results] == ["防災ボランティアの育成"]


@pytest.mark.django_db
def test_words_split_between_title_and_text_find_it():
    from tests.factories import MeasureFactory

    MeasureFactory(title="防災ボランティアの育成", description="地域の担い手を育てます。")
    results = get_search_backend().search("防災 担い手", Measure)
    assert [measure.title for measure in results] == ["防災ボランティアの育成"]


@pytest.mark.django_db
def test_a_boosted_part_of_a_query_ranks_first_on_postgresql():
    from django.db import connection

    from tests.factories import MeasureFactory

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's bm25 scores the whole match at once: no per-part boosts")
    MeasureFactory(title="防災訓練の充実")
    MeasureFactory(title="担い手の育成")
    backend = get_search_backend()
    for boosted, first in (("防災", "防災訓練の充実"), ("育成", "担い手の育成")):
        other = "育成" if boosted == "防災" else "防災"
        query = Or([PlainText(other), Boost(PlainText(boosted), 10.0)])
        assert [measure.title for measure in backend.search(query, Measure)][0] == first
