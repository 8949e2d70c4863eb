"""One profile validator behind every channel: the JSON API, the
「あなたに合う活動を探す」 form, a profile file for rank_matches, and the stored
ResidentProfile. One table of cases goes through each channel, which must
accept or refuse it alike and say the same thing about the same field.

The table is in English (each channel asked for English), so it does not
depend on the Japanese catalogue.
"""

import html
import io
import json
import re
from dataclasses import dataclass

import pytest

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from cms.groups.models import GroupIndexPage
from matching import services, sources
from matching.engine.records import Place
from matching.engine.slots import SLOT_CODES
from matching.models import ResidentProfile, Skill, TimeSlot
from matching.validation import ProfileError, Vocabulary, clean_profile
from tests.factories import AreaFactory, GroupPageFactory
from tests.matching.factories import OpportunityPageFactory, SkillFactory

API = "/api/matching/rank/"
FIND = "/matching/"
EVERY_CHANNEL = frozenset({"api", "form", "file", "model"})
# The stored profile holds only interests and distance itself (skills and
# slots are rows that exist by construction) and may be empty.
RANKING_CHANNELS = frozenset({"api", "form", "file"})
# What a query string cannot say (a number where a list belongs): JSON only.
JSON_CHANNELS = frozenset({"api", "file"})

TOO_LONG = "Write at most 200 characters (there are 201)."
DISTANCE = "Give the distance as a number of kilometres from 0 to 50."
EMPTY = "Choose at least one thing you can do, write an interest or tick a time."


@dataclass(frozen=True)
class Case:
    name: str
    profile: dict
    errors: tuple = ()  # ((field, message), ...); none: accepted
    channels: frozenset = EVERY_CHANNEL
    notes: str = ""


CASES = [
    Case(
        "a full profile",
        {
            "skills": ["childcare"],
            "interests": "子育て",
            "slots": ["sat-am"],
            "area": "honcho",
            "max_km": 2,
        },
    ),
    Case("no time ticked means any time", {"skills": ["childcare"], "slots": []}),
    Case("200 characters of interests", {"interests": "子" * 200}),
    Case("spaces around the interests are not counted", {"interests": " " + "子" * 200 + " "}),
    Case("201 characters are too many", {"interests": "子" * 201}, (("interests", TOO_LONG),)),
    Case(
        "a distance the form does not offer",
        {"skills": ["cooking"], "area": "honcho", "max_km": 4},
    ),
    Case("0 km: one's own area only", {"skills": ["cooking"], "area": "honcho", "max_km": 0}),
    Case("50 km", {"skills": ["cooking"], "max_km": 50}),
    Case("over 50 km", {"skills": ["cooking"], "max_km": 51}, (("max_km", DISTANCE),)),
    Case("a negative distance", {"skills": ["cooking"], "max_km": -1}, (("max_km", DISTANCE),)),
    Case(
        "a distance that is no number",
        {"skills": ["cooking"], "max_km": "far"},
        (("max_km", DISTANCE),),
        channels=RANKING_CHANNELS,
        notes="the admin's number field refuses it before the profile is checked",
    ),
    Case(
        "unreadable interests",
        {"interests": "子育て\x00"},
        (
            (
                "interests",
                "The interests hold characters that cannot be read. Please type them again.",
            ),
        ),
    ),
    Case(
        "an unknown skill",
        {"skills": ["childcare", "juggling"]},
        (("skills", "There is no skill “juggling”."),),
        channels=RANKING_CHANNELS,
    ),
    Case(
        "an unknown time slot",
        {"skills": ["cooking"], "slots": ["sat-night"]},
        (("slots", "There is no time slot “sat-night”."),),
        channels=RANKING_CHANNELS,
    ),
    Case(
        "an unknown area",
        {"skills": ["cooking"], "area": "atlantis"},
        (("area", "There is no area “atlantis”."),),
        channels=RANKING_CHANNELS,
    ),
    Case(
        "every error at once",
        {"skills": ["juggling"], "interests": "子" * 201, "max_km": 99},
        (
            ("skills", "There is no skill “juggling”."),
            ("interests", TOO_LONG),
            ("max_km", DISTANCE),
        ),
        channels=RANKING_CHANNELS,
    ),
    Case("nothing to rank by", {"interests": "  "}, ((None, EMPTY),), channels=RANKING_CHANNELS),
    Case(
        "skills that are not a list",
        {"skills": "cooking"},
        (("skills", "Give the skills as a list of skill slugs."),),
        channels=JSON_CHANNELS,
    ),
    Case(
        "a distance that is true",
        {"skills": ["cooking"], "max_km": True},
        (("max_km", DISTANCE),),
        channels=JSON_CHANNELS,
    ),
]


@pytest.fixture
def listings(db):
    """Two skills, two areas and three opportunities of one group."""
    honcho = AreaFactory(slug="honcho", name="本町", latitude="35.7030", longitude="139.5790")
    far = AreaFactory(slug="far-town", name="遠町", latitude="35.7300", longitude="139.6300")
    childcare = SkillFactory(slug="childcare", name="保育")
    cooking = SkillFactory(slug="cooking", name="調理")
    TimeSlot.ensure_all()
    group = GroupPageFactory(parent=GroupIndexPage.objects.first(), slug="kosodate")
    OpportunityPageFactory(
        parent=group, title="土曜の子育てひろば", skills=[childcare], slots=["sat-am"], area=honcho
    )
    OpportunityPageFactory(
        parent=group, title="夜の子ども食堂", skills=[cooking], slots=["wed-eve"], area=far
    )
    OpportunityPageFactory(parent=group, title="いつでも見守り", area=honcho)


# -- the channels: each answers ("accepted", ranking) or ("refused", errors) -----------


def ranking(results):
    return [(result.key, round(float(result.score), 4)) for result in results]


def through_the_api(client, profile):
    response = client.post(
        API, data=json.dumps(profile), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    payload = response.json()
    if response.status_code == 200:
        return "accepted", [(r["id"], r["score"]) for r in payload["results"]]
    assert response.status_code == 400, response.content
    return "refused", [(e["field"], e["message"]) for e in payload["errors"]]


def _query(profile):
    return {
        name: value if isinstance(value, list) else str(value) for name, value in profile.items()
    }


def through_the_form(client, profile):
    response = client.get(FIND, _query(profile))
    if response.status_code == 200:
        rows = response.context["opportunity_rows"]
        return "accepted", ranking(row["result"] for row in rows)
    assert response.status_code == 400
    form = response.context["form"]
    # Each message beside its field, as the page shows it.
    errors = [(None, str(message)) for message in form.non_field_errors()]
    for name in form.fields:
        block = re.search(rf'<ul class="form-error" id="id_{name}_error">(.*?)</ul>', response.text)
        if block:
            items = re.findall(r"<li>(.*?)</li>", block.group(1))
            errors += [(name, html.unescape(item)) for item in items]
    assert "error-summary" in response.text
    return "refused", errors


def through_a_file(tmp_path, profile):
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps([profile]), encoding="utf-8")
    out = io.StringIO()
    try:
        call_command("rank_matches", "--profiles", str(path), stdout=out)
    except CommandError as error:
        lines = str(error).splitlines()[1:]
        errors = []
        for line in lines:
            match = re.fullmatch(r"  profile 1(?:, field “(\w+)”)?: (.*)", line)
            assert match, line
            errors.append((match.group(1), match.group(2)))
        return "refused", errors
    (result,) = json.loads(out.getvalue())
    return "accepted", [(r["id"], r["score"]) for r in result["results"]]


def through_the_stored_profile(profile):
    stored = ResidentProfile(
        name="武蔵野 花子",
        interests=profile.get("interests", ""),
        max_km=profile.get("max_km", 3),
    )
    try:
        stored.full_clean()
    except ValidationError as error:
        return "refused", [
            (name, message) for name, messages in error.message_dict.items() for message in messages
        ]
    stored.home_area = AreaFactory(slug=profile["area"]) if profile.get("area") else None
    stored.save()
    stored.skills.set(Skill.objects.filter(slug__in=profile.get("skills", ())))
    stored.slots.set(TimeSlot.objects.filter(code__in=profile.get("slots", ())))
    return "accepted", ranking(services.rank(sources.profile_record(stored), limit=10))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_channel_accepts_or_refuses_alike(listings, client, tmp_path, case):
    with translation.override("en"):
        outcomes = {
            "api": lambda: through_the_api(client, case.profile),
            "form": lambda: through_the_form(client, case.profile),
            "file": lambda: through_a_file(tmp_path, case.profile),
            "model": lambda: through_the_stored_profile(case.profile),
        }
        answers = {name: outcomes[name]() for name in sorted(case.channels)}
    if case.errors:
        for channel, (outcome, errors) in answers.items():
            assert outcome == "refused", channel
            assert sorted(errors, key=str) == sorted(case.errors, key=str), channel
    else:
        rankings = {channel: ranked for channel, (outcome, ranked) in answers.items()}
        assert {outcome for outcome, _ in answers.values()} == {"accepted"}, rankings
        reference = rankings["api"]
        assert reference, "the profile is ranked"
        assert all(ranked == reference for ranked in rankings.values()), rankings


def test_a_stored_profile_may_be_empty(db):
    """Someone who only asked to take part, or whom the office noted by phone."""
    ResidentProfile(name="電話で登録").full_clean()


# -- what each channel shows of it ----------------------------------------------------


def test_no_time_ticked_ranks_as_every_time_ticked_in_every_channel(listings, client, tmp_path):
    none = {"skills": ["cooking"], "area": "honcho"}
    every = {**none, "slots": list(SLOT_CODES)}
    assert through_the_api(client, none) == through_the_api(client, every)
    assert through_a_file(tmp_path, none) == through_the_api(client, every)
    assert through_the_form(client, none) == through_the_form(client, every)


def test_the_api_answers_in_the_requests_language(listings, client):
    body = json.dumps({"interests": ""})
    english = client.post(API, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    default = client.post(API, body, content_type="application/json")
    assert english.json()["errors"] == [{"field": None, "code": "empty", "message": EMPTY}]
    assert english.json()["error"] == EMPTY
    # Japanese unless the request asks for another of the site's languages.
    assert "いずれか" in default.json()["errors"][0]["message"]


def test_the_api_names_the_field_of_each_error(listings, client):
    body = json.dumps({"skills": ["juggling"], "max_km": 99})
    response = client.post(API, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    payload = response.json()
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("skills", "unknown_skill"),
        ("max_km", "invalid_distance"),
    ]
    assert payload["error"] == (
        "field “skills”: There is no skill “juggling”. field “max_km”: " + DISTANCE
    )


def test_the_form_keeps_a_distance_it_does_not_offer(listings, client):
    response = client.get(FIND, {"skills": "cooking", "area": "honcho", "max_km": "4"})
    assert response.status_code == 200
    assert '<option value="4" selected>' in response.text
    assert "max_km=4" in response.context["profile_query"]
    # Another way of writing one it offers stays chosen, offered once.
    same = client.get(FIND, {"skills": "cooking", "max_km": "3.0"}).text
    assert '<option value="3.0" selected>' in same and '<option value="3">' not in same


def test_a_registration_without_times_is_stored_as_any_time(listings, post):
    data = {
        "skills": "childcare",
        "contact-name": "武蔵野 花子",
        "contact-email": "hanako@example.jp",
        "contact-consent": "on",
    }
    assert post("/matching/register/", data).status_code == 302
    profile = ResidentProfile.objects.get(email="hanako@example.jp")
    assert profile.slots.count() == len(SLOT_CODES)


# -- the validator itself, on plain data ----------------------------------------------

VOCABULARY = Vocabulary(skills=frozenset({"childcare"}), areas={"honcho": Place(35.7, 139.58)})


def test_the_validator_works_on_plain_data_without_a_database():
    answers = clean_profile(
        {"skills": ["childcare", "childcare"], "slots": ["sun-pm", "mon-am"], "area": "honcho"},
        VOCABULARY,
        key="p1",
    )
    record = answers.record()
    assert answers.skills == ("childcare",) and answers.slots == ("mon-am", "sun-pm")
    assert record.place == Place(35.7, 139.58) and record.max_km == 3.0
    assert clean_profile({"skills": ["childcare"]}, VOCABULARY).record().slots == set(SLOT_CODES)


@pytest.mark.parametrize("km, kept", [(2.25, 2.3), ("1.04", 1.0), (0, 0.0), ("", 3.0)])
def test_a_distance_is_kept_to_a_tenth_of_a_kilometre(km, kept):
    """As the stored profile keeps it, so a profile ranks the same stored or sent."""
    assert clean_profile({"skills": ["childcare"], "max_km": km}, VOCABULARY).max_km == kept


def test_values_echoed_in_messages_are_cut_and_never_unreadable():
    with translation.override("en"), pytest.raises(ProfileError) as raised:
        clean_profile({"skills": ["x" * 500], "area": "\ud800"}, VOCABULARY)
    skills, area = raised.value.errors
    assert len(skills.message) < 80 and skills.message.endswith("…”.")
    assert area.message == "Give the area by its slug."


def test_the_admin_shows_the_validators_message_beside_the_field(db, client, django_user_model):
    """A coordinator editing a stored profile is told what the API and the form say."""
    from django.contrib.auth.models import Group

    profile = ResidentProfile.objects.create(name="武蔵野 花子", email="hanako@example.jp")
    user = django_user_model.objects.create_user("coord", password="x")
    user.groups.add(Group.objects.get(name="Coordinators"))
    client.force_login(user)
    url = f"/admin/snippets/matching/residentprofile/edit/{profile.pk}/"
    data = {"name": "武蔵野 花子", "email": "hanako@example.jp", "interests": "子" * 201}
    response = client.post(url, {**data, "max_km": "3", "receives_suggestions": "on"})
    assert response.status_code == 200
    with translation.override("ja"):  # the admin's language here, with or without a catalogue
        (problem,) = errors_of({"interests": "子" * 201})
    assert problem.message in response.content.decode()
    profile.refresh_from_db()
    assert profile.interests == ""


def errors_of(profile):
    with pytest.raises(ProfileError) as raised:
        clean_profile(profile, Vocabulary())
    return raised.value.errors
