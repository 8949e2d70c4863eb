import pytest

from wagtail.models import Page
from wagtail.search import index
from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Not, Or, Phrase, PlainText

from cms.core.models import Area, ContactPoint
from search.backends.base import analyse_query
from search.index import JapaneseAutocompleteField, JapaneseSearchField, page_search_fields


def test_plain_query_is_analysed_and_all_words_are_required():
    query = analyse_query("つながる子育てｶﾌｪ")
    assert isinstance(query, PlainText)
    assert (query.query_string, query.operator) == ("繋がる 子育て カフェ", "and")


def test_a_chosen_operator_is_kept():
    assert analyse_query("子育て カフェ", operator="or").operator == "or"


def test_query_objects_are_analysed_inside():
    query = analyse_query(
        And([Phrase("子育てカフェ"), Not(PlainText("ｶﾌｪ")), Or([PlainText("NPO")])])
    )
    phrase, negated, either = query.subqueries
    assert phrase.query_string == "子育て カフェ"
    assert negated.subquery.query_string == "カフェ"
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
