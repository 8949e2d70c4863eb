"""The JSON ranking endpoint with any body and any parameters."""

import json
from urllib.parse import urlencode

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cms.core.models import Area
from matching.engine.slots import SLOT_CODES
from matching.models import ResidentProfile, Skill, Suggestion
from matching.views import MAX_BODY_BYTES

from .strategies import any_string, fuzz_settings, json_values, raw_bytes_like_json, syntax, text

pytestmark = pytest.mark.django_db

URL = "/api/matching/rank/"


def post(client, body, params):
    return client.post(
        f"{URL}?{urlencode(params, doseq=True)}", data=body, content_type="application/json"
    )


@pytest.fixture
def vocabulary(civic_data):
    return {
        "skills": list(Skill.objects.values_list("slug", flat=True)),
        "areas": list(Area.objects.values_list("slug", flat=True)),
    }


def profile_shaped(vocabulary):
    """A real profile with one or two fields made wrong (or none), so that each
    check is reached after the ones before it have passed."""
    skill = st.sampled_from(vocabulary["skills"])
    slot = st.sampled_from(SLOT_CODES)
    real = {
        "skills": st.lists(skill, max_size=4),
        "slots": st.lists(slot, max_size=4),
        "interests": st.text(max_size=300),
        "area": st.sampled_from(vocabulary["areas"]),
        "max_km": st.floats(0, 50),
        "id": st.integers(0, 100),
    }
    wrong = {
        "skills": st.lists(st.one_of(skill, any_string), min_size=1, max_size=4),
        "slots": st.lists(st.one_of(slot, any_string), min_size=1, max_size=4),
    }

    @st.composite
    def profiles(draw):
        profile = {name: draw(value) for name, value in real.items() if draw(st.booleans())}
        for name in draw(st.lists(st.sampled_from(sorted(real)), max_size=2, unique=True)):
            profile[name] = draw(st.one_of(wrong.get(name, any_string), json_values))
        return profile

    return profiles()


def bodies(vocabulary):
    profile = profile_shaped(vocabulary).map(lambda value: json.dumps(value).encode())
    return st.one_of(
        profile,
        profile,
        raw_bytes_like_json(),
        json_values.map(lambda value: json.dumps(value).encode()),
        # Over the size limit.
        st.integers(MAX_BODY_BYTES - 10, MAX_BODY_BYTES + 1000).map(
            lambda size: b'{"interests": "' + b"a" * size + b'"}'
        ),
    )


def parameter(valid):
    return st.one_of(st.sampled_from(valid), text, syntax, st.integers().map(str))


def assert_json_answer(response):
    """200 with results, or 400/413 with an error a developer can act on."""
    assert response.status_code in (200, 400, 413), response.status_code
    payload = response.json()
    if response.status_code == 200:
        assert isinstance(payload["results"], list)
    else:
        assert isinstance(payload["error"], str) and payload["error"]


@given(data=st.data())
@fuzz_settings(max_examples=80)
def test_any_body_and_parameters_get_200_or_a_json_error(client, vocabulary, data):
    """A program calling the API with a broken or hostile request gets a JSON
    answer saying what is wrong (400, or 413 when too large), never a 500
    that its developer cannot act on."""
    body = data.draw(bodies(vocabulary), label="body")
    params = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "kind": parameter(["opportunities", "groups"]),
                "limit": parameter(["1", "10", "50", "0", "51", "-1", " 5 ", "1e3"]),
            },
        ),
        label="params",
    )
    before = (ResidentProfile.objects.count(), Suggestion.objects.count())
    response = post(client, body, params)
    assert_json_answer(response)
    # Ranking is a pure function of the request: nothing is stored.
    assert (ResidentProfile.objects.count(), Suggestion.objects.count()) == before


# Found by the test above; kept so that they are tried on every run.
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"max_km": ' + b"9" * 5000 + b"}", id="number-too-long-to-read"),
        pytest.param(b"[" * 5000 + b"]" * 5000, id="nested-5000-deep"),
        pytest.param(b'{"skills": ["\\ud800"]}', id="lone-surrogate-skill"),
        pytest.param(b'{"interests": "\\ud800 abc"}', id="lone-surrogate-interests"),
        pytest.param(b'{"area": "\\udc00"}', id="lone-surrogate-area"),
        pytest.param(b'{"id": "\\ud800", "skills": 1}', id="lone-surrogate-id"),
        pytest.param(b'{"skills": ["a\\u0000"]}', id="nul-in-skill"),
        pytest.param(b'{"area": "a\\u0000"}', id="nul-in-area"),
    ],
)
def test_bodies_that_once_crashed_get_a_400(db, client, body):
    """These requests used to answer 500; now the caller is told what is wrong."""
    response = post(client, body, {})
    assert response.status_code == 400
    assert response.json()["error"]


@given(data=st.data())
@fuzz_settings(max_examples=40)
def test_well_formed_profiles_get_results_best_first(client, vocabulary, data):
    """A resident's app that sends a real profile gets at most `limit`
    suggestions, the best match first."""
    profile = {
        "skills": data.draw(st.lists(st.sampled_from(vocabulary["skills"]), max_size=5)),
        "slots": data.draw(st.lists(st.sampled_from(SLOT_CODES), max_size=8)),
        # What a resident types: text without NUL (matching.validation refuses it).
        "interests": data.draw(st.text(st.characters(exclude_characters="\x00"), max_size=200)),
        "max_km": data.draw(st.floats(0, 50)),
    }
    # A profile says at least one thing to rank by.
    assume(profile["skills"] or profile["slots"] or profile["interests"].strip())
    area = data.draw(st.one_of(st.none(), st.just(""), st.sampled_from(vocabulary["areas"])))
    if area is not None:
        profile["area"] = area
    kind = data.draw(st.sampled_from(["opportunities", "groups"]))
    limit = data.draw(st.integers(1, 50))

    response = post(
        client, json.dumps(profile, ensure_ascii=False).encode(), {"kind": kind, "limit": limit}
    )

    assert response.status_code == 200, response.content
    payload = response.json()
    assert payload["kind"] == kind
    results = payload["results"]
    assert len(results) <= limit
    scores = [result["score"] for result in results]
    assert scores == sorted(scores, reverse=True)
    expected = {"opportunities": "opportunity", "groups": "group"}[kind]
    assert all(result["kind"] == expected and result["slug"] for result in results)
