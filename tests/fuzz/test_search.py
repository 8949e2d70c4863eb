"""Search with whatever a visitor types or a script sends: never a server error."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from wagtail.models import Page
from wagtail.search.query import And, Boost, Fuzzy, Not, Or, Phrase, PlainText

from cms.activities.models import ActivityKind
from cms.core.models import Area, FieldOfActivity
from search.forms import CONTENT_TYPES

from .strategies import (
    fuzz_settings,
    raw_query_strings,
    search_operator_text,
    search_text,
    syntax,
    text,
)

pytestmark = pytest.mark.django_db

FILTERS = ("type", "kind", "field", "area", "fy", "when", "page")


def filter_values(valid):
    """A real choice most of the time, otherwise anything at all."""
    return st.one_of(st.sampled_from(valid), text, syntax, st.integers().map(str))


@pytest.fixture
def choices(db):
    return {
        "type": list(CONTENT_TYPES),
        "kind": list(ActivityKind.values),
        "field": list(FieldOfActivity.objects.values_list("slug", flat=True)),
        "area": list(Area.objects.values_list("slug", flat=True)),
        "fy": [str(year) for year in range(2018, 2031)],
        "when": ["upcoming", "past", ""],
        "page": ["1", "2", "last", "0", "-1", "999999999999999999999", "1.5"],
    }


def assert_answered(response):
    # 200 with the results, or 400 with the problem beside the field: never 500.
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert b"error" in response.content


@given(data=st.data(), query=search_text)
@fuzz_settings(max_examples=60)
def test_any_query_and_filters_get_a_page(client, choices, data, query):
    """A resident who pastes odd text or edits the address bar gets the search
    page back (with results, or with the problem beside the field), not the
    city's "server error" page."""
    params = {"query": query}
    for name in data.draw(st.lists(st.sampled_from(FILTERS), unique=True), label="filters"):
        params[name] = data.draw(
            st.one_of(
                filter_values(choices[name]), st.lists(filter_values(choices[name]), max_size=3)
            ),
            label=name,
        )
    assert_answered(client.get("/search/", params))


@given(query_string=raw_query_strings(["query", *FILTERS]))
@fuzz_settings(max_examples=40)
def test_any_raw_query_string_gets_a_page(client, query_string):
    """Links mangled by mail programs (broken percent-escapes, invalid UTF-8,
    repeated parameters) still open the search page."""
    assert_answered(client.generic("GET", "/search/", QUERY_STRING=query_string))


@given(query=search_text)
@example(query=" ".join(f"w{number}" for number in range(400)))
@fuzz_settings(max_examples=15)
def test_admin_page_search_takes_any_query(admin_client_ja, query):
    """An editor searching the page tree with odd text gets the listing, not an error."""
    response = admin_client_ja.get("/admin/pages/search/", {"q": query})
    assert response.status_code == 200


# What the probe sent, and the shapes that broke FTS5 before terms were quoted.
OPERATOR_EXAMPLES = ["\"'()*:^-+~", '"', "'", "*", '子育て"カフェ', "防*", 'ｶﾌｪ" OR "a']


def with_examples(test):
    for query in OPERATOR_EXAMPLES:
        test = example(query=query)(test)
    return test


@given(query=search_operator_text)
@with_examples
@fuzz_settings(max_examples=40)
def test_search_operators_in_the_public_search_are_just_text(client, query):
    """Quotes, stars and operators typed into the site search find pages (or
    none), never the server-error page. Short queries also go through the
    autocomplete (prefix) path."""
    response = client.get("/search/", {"query": query})
    assert response.status_code == 200, response.status_code


# Admin listings that search through the site's search backend.
ADMIN_SEARCHES = (
    "/admin/snippets/core/area/",
    "/admin/snippets/core/contactpoint/",
    "/admin/pages/search/",
    "/admin/choose-page/search/",
    "/admin/documents/",
    "/admin/images/",
)


@given(query=search_operator_text)
@with_examples
@fuzz_settings(max_examples=10)
def test_search_operators_in_admin_searches_are_just_text(admin_client_ja, query):
    """An editor's search of snippets, the page tree or the page chooser with
    quotes or operators gets the listing back."""
    for url in ADMIN_SEARCHES:
        response = admin_client_ja.get(url, {"q": query})
        assert response.status_code == 200, (url, response.status_code)


def query_objects(text):
    """Every query class Wagtail's search offers, around `text`."""
    return [
        PlainText(text),
        PlainText(text, operator="or"),
        Phrase(text),
        Fuzzy(text),
        Boost(PlainText(text), 2.0),
        And([PlainText("子育て"), Phrase(text)]),
        Or([Phrase(text), Fuzzy(text)]),
        Not(PlainText(text)),
        And([PlainText("カフェ"), Not(Boost(Phrase(text), 3.0))]),
    ]


@given(query=search_operator_text)
@with_examples
@fuzz_settings(max_examples=20)
def test_every_query_class_takes_search_operators(db, query):
    """Code that builds Wagtail query objects from visitors' text cannot reach
    the full-text parser with syntax either, whichever class it uses."""
    pages = Page.objects.live()
    for query_object in query_objects(query):
        list(pages.search(query_object))
        list(pages.autocomplete(query_object))
