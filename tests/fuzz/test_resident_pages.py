"""The residents' GET pages with whatever is in the address bar."""

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cms.activities.models import ActivityIndexPage, ActivityKind
from cms.core.models import Area
from cms.opportunities.models import OpportunityPage
from matching.engine.slots import SLOT_CODES
from matching.forms import MatchingForm
from matching.models import Skill

from .strategies import any_string, fuzz_settings, raw_query_strings, syntax, text

pytestmark = pytest.mark.django_db


def assert_page(response, allowed=(200, 400)):
    assert response.status_code in allowed, response.status_code


@pytest.fixture
def profile_values(civic_data):
    """Per field of the matching form: real values, and anything at all."""
    skills = list(Skill.objects.values_list("slug", flat=True))
    areas = list(Area.objects.values_list("slug", flat=True))
    real = {
        "skills": st.sampled_from(skills),
        "slots": st.sampled_from(SLOT_CODES),
        "interests": st.text(max_size=200),
        "area": st.sampled_from(areas),
        "max_km": st.sampled_from([str(km) for km in MatchingForm.DISTANCES]),
    }
    junk = st.one_of(text, syntax, st.integers().map(str), st.just(""))
    return {name: st.one_of(value, value, junk) for name, value in real.items()}


def profile_queries(profile_values):
    """A query string with some of the form's fields, each once or repeated."""
    return st.fixed_dictionaries(
        {},
        optional={
            name: st.lists(value, min_size=1, max_size=3) for name, value in profile_values.items()
        }
        | {"utm_source": st.lists(text, max_size=1), "print": st.lists(text, max_size=1)},
    ).map(lambda params: urlencode(params, doseq=True))


@given(data=st.data())
@fuzz_settings(max_examples=40)
def test_matching_form_answers_any_query(client, profile_values, data):
    """A resident following a bookmarked, shared or hand-edited link to
    「あなたに合う活動を探す」 gets the form back with results or with what
    to correct (400), never the server-error page."""
    query = data.draw(profile_queries(profile_values), label="query")
    assert_page(client.get(f"/matching/?{query}"))


@given(query_string=raw_query_strings(list(MatchingForm.PROFILE_FIELDS)))
@fuzz_settings(max_examples=25)
def test_matching_form_answers_any_raw_query_string(client, civic_data, query_string):
    """Links mangled by mail programs (broken escapes, invalid UTF-8) still open the form."""
    assert_page(client.generic("GET", "/matching/", QUERY_STRING=query_string))


@given(data=st.data())
@fuzz_settings(max_examples=15)
def test_interest_form_answers_any_carried_profile(client, profile_values, data):
    """「参加してみたい」 opened from results with a damaged profile in its link
    still shows the form (the profile is dropped, not fatal)."""
    page = OpportunityPage.objects.live().filter(is_open=True).first()
    query = data.draw(profile_queries(profile_values), label="query")
    assert_page(client.get(f"/matching/interest/{page.pk}/?{query}"), allowed=(200,))


@pytest.fixture
def activity_index(db):
    return ActivityIndexPage.objects.live().first()


@given(
    year=st.one_of(st.integers(1990, 2110), st.integers(0, 10**30)),
    month=st.one_of(st.integers(0, 13), st.integers(0, 10**30)),
    zeros=st.text("0", max_size=3),
)
@fuzz_settings(max_examples=40)
def test_calendar_answers_any_month(client, activity_index, year, month, zeros):
    """A calendar address with any numbers in it shows the month, or the
    "page not found" page when there is no such month: never a server error."""
    response = client.get(f"{activity_index.url}calendar/{zeros}{year}/{zeros}{month}/")
    if 2000 <= year <= 2100 and 1 <= month <= 12:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@given(segments=st.lists(st.one_of(any_string, st.integers().map(str)), min_size=1, max_size=3))
@fuzz_settings(max_examples=20)
def test_calendar_answers_any_path(client, activity_index, segments):
    """Whatever follows /calendar/ in the address: a month, or "page not found"."""
    from urllib.parse import quote

    path = "/".join(quote(segment.encode("utf-8", "replace"), safe="") for segment in segments)
    assert_page(client.get(f"{activity_index.url}calendar/{path}/"), allowed=(200, 404))


@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "kind": st.one_of(st.sampled_from(ActivityKind.values), any_string),
            "fy": st.one_of(st.integers(1900, 2100).map(str), any_string),
            "field": any_string,
            "page": st.one_of(st.integers().map(str), any_string),
        },
    )
)
@fuzz_settings(max_examples=25)
def test_activity_listing_answers_any_filter(client, activity_index, params):
    """The activity listing's filters from a hand-edited address: the listing
    with the problem beside the filter, never a server error."""
    params = {name: value.encode("utf-8", "replace") for name, value in params.items()}
    assert_page(client.get(f"{activity_index.url}?{urlencode(params)}"))
