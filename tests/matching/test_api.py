import json

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/matching/rank/"


def post(client, body, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"{URL}?{query}", data=body, content_type="application/json")


def test_ranking_from_a_submitted_profile_stores_nothing(civic_data, client):
    from matching.models import ResidentProfile, Suggestion

    profile = {
        "skills": ["cooking"],
        "interests": "子どもと料理",
        "slots": ["sat-pm"],
        "area": "nakacho",
        "max_km": 2,
    }
    response = post(client, json.dumps(profile), limit=3)
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["slug"] == "sample-shokudo-chori"
    assert len(results) == 3
    assert ResidentProfile.objects.count() == 0 and Suggestion.objects.count() == 0


@pytest.mark.parametrize(
    "body, params, message",
    [
        ("{not json", {}, "JSON"),
        ("[1, 2]", {}, "JSON"),
        (json.dumps({"slots": ["sat-night"]}), {}, "sat-night"),
        (json.dumps({"skills": ["juggling"]}), {}, "juggling"),
        (json.dumps({}), {"limit": "0"}, "limit"),
        (json.dumps({}), {"limit": "ten"}, "limit"),
        (json.dumps({}), {"kind": "people"}, "kind"),
    ],
)
def test_bad_requests_get_a_clear_400(civic_data, client, body, params, message):
    response = post(client, body, **params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_only_post(client):
    assert client.get(URL).status_code == 405
