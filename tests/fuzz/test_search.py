"""Search with whatever a visitor types or a script sends: never a server error."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cms.activities.models import ActivityKind
from cms.core.models import Area, FieldOfActivity
from search.forms import CONTENT_TYPES

from .strategies import fuzz_settings, raw_query_strings, search_text, syntax, text

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
