"""Ranking properties of the matching engine, on plain records (no database)."""

import math
import pickle
import random

import numpy as np
import pytest

from django.utils import translation

from matching.engine import (
    Group,
    MatchingEngine,
    Opportunity,
    Place,
    Profile,
    Skill,
    Weights,
)
from matching.engine.geo import haversine_km
from matching.engine.ranking import FULL_PENALTY
from matching.engine.slots import SLOT_CODES

HOME = Place(35.7023, 139.5434)  # 武蔵境駅
KICHIJOJI = Place(35.7033, 139.5797)  # 3.3 km east
SKILLS = (
    Skill("childcare", "保育", ("子守り",)),
    Skill("translation", "翻訳", ("通訳",)),
    Skill("pc", "パソコン", ("PC", "スマホ")),
    Skill("cooking", "調理", ()),
)


def east_of_home(km):
    """A place `km` east of HOME (1° of longitude there is ~90.4 km)."""
    return Place(HOME.lat, HOME.lon + km / (111.32 * math.cos(math.radians(HOME.lat))))


def opportunity(key, **fields):
    """An open opportunity, alike in everything a test does not set."""
    defaults = {"title": "地域活動のお手伝い", "description": "一緒に活動しましょう。"}
    return Opportunity(key=key, **{**defaults, **fields})


def profile(**fields):
    return Profile(key=fields.pop("key", "resident"), **fields)


def keys(results):
    return [result.key for result in results]


def engine_of(*opportunities, groups=(), weights=None):
    weights = weights or Weights()
    return MatchingEngine.build(opportunities, groups=groups, skills=SKILLS, weights=weights)


# -- the properties residents expect -------------------------------------------


def test_availability_match_beats_mismatch():
    engine = engine_of(
        opportunity("a-weekday", slots={"mon-am"}),
        opportunity("b-saturday", slots={"sat-am"}),
    )
    results = engine.rank(profile(slots={"sat-am", "sun-pm"}))
    assert keys(results) == ["b-saturday", "a-weekday"]
    assert results[0].components["availability"] == 1.0
    assert results[1].components["availability"] == 0.0


def test_nearer_beats_farther():
    engine = engine_of(
        opportunity("a-far", place=east_of_home(2.5)),
        opportunity("b-near", place=east_of_home(0.5)),
    )
    results = engine.rank(profile(place=HOME, max_km=3.0))
    assert keys(results) == ["b-near", "a-far"]
    assert results[0].components["distance"] == pytest.approx(1 - 0.5 * 0.5 / 3, abs=1e-3)


def test_beyond_max_km_is_penalised_softly_still_ranked_lower():
    engine = engine_of(
        opportunity("a-beyond", place=east_of_home(5.0)),
        opportunity("b-within", place=east_of_home(2.9)),
        opportunity("c-far-beyond", place=east_of_home(12.0)),
    )
    results = engine.rank(profile(place=HOME, max_km=3.0))
    assert keys(results) == ["b-within", "a-beyond", "c-far-beyond"]
    beyond = results[1].components["distance"]
    assert beyond == pytest.approx(0.5 * math.exp(-(5.0 - 3.0) / 2.0), abs=1e-3)
    assert 0 < results[2].components["distance"] < beyond < 0.5


@pytest.mark.parametrize(
    "interests, posting",
    [
        ("お年寄りの手伝いがしたい", "高齢者の見守り"),
        ("高齢者", "お年寄りとお散歩"),
        ("ものづくり", "工作教室のお手伝い"),
        ("工作が得意です", "ものづくり体験会"),
        ("人とつながる活動", "地域で繋がる居場所"),
        ("ｶﾌｪ", "子育てカフェ"),
    ],
)
def test_wording_variants_still_match(interests, posting):
    engine = engine_of(
        opportunity("a-unrelated", title="防災訓練の受付", description="消火器の使い方を学ぶ。"),
        opportunity("b-posting", title=posting, description=""),
    )
    results = engine.rank(profile(interests=interests))
    assert keys(results)[0] == "b-posting"
    assert results[0].components["text"] > 0.2
    assert results[1].components["text"] == 0.0


def test_full_opportunities_sink_below_open_ones():
    engine = engine_of(
        opportunity("a-full", skills=("cooking",), capacity=3, accepted=3),
        opportunity("b-open", skills=("cooking",), capacity=3, accepted=1),
        opportunity("c-open", skills=("cooking",)),
    )
    results = engine.rank(profile(skills=("cooking",)))
    assert keys(results) == ["c-open", "b-open", "a-full"]
    assert [r.components["crowding"] for r in results] == [0.0, pytest.approx(1 / 3), FULL_PENALTY]
    assert results[0].score - results[2].score == pytest.approx(0.15 * FULL_PENALTY)


def test_a_full_opportunity_ranks_below_a_weaker_open_one():
    engine = engine_of(
        opportunity(
            "a-full-perfect", title="子ども食堂の調理", skills=("cooking",), capacity=2, accepted=2
        ),
        opportunity("b-open-weak", title="公園清掃"),
    )
    results = engine.rank(profile(skills=("cooking",), interests="子ども食堂で料理"))
    assert keys(results) == ["b-open-weak", "a-full-perfect"]


def test_pending_suggestions_spread_over_opportunities():
    engine = engine_of(
        opportunity("a-many-pending", pending=5),
        opportunity("b-none-pending"),
        opportunity("c-some-pending", capacity=10, pending=3),
    )
    results = engine.rank(profile())
    assert keys(results) == ["b-none-pending", "c-some-pending", "a-many-pending"]
    assert [r.components["crowding"] for r in results] == [0.0, 0.3, 1.0]


def test_closed_opportunities_are_never_returned():
    engine = engine_of(
        opportunity("a-closed", title="保育", skills=("childcare",), is_open=False, group_key="g"),
        opportunity("b-open", title="清掃"),
        groups=[Group("g", "保育の会")],
    )
    resident = profile(skills=("childcare",), interests="保育")
    assert keys(engine.rank(resident, limit=100)) == ["b-open"]
    assert engine.opportunity_count == 1
    # The group has no open opportunity left: neutral skills and availability.
    (group,) = engine.rank(resident, kind="groups")
    assert (group.components["skills"], group.components["availability"]) == (0.5, 0.5)


def test_reasons_name_the_skill_the_slot_the_distance_and_the_words():
    place = east_of_home(1.2)
    engine = engine_of(
        opportunity(
            "a",
            title="高齢者の見守りボランティア",
            skills=("childcare", "pc"),
            slots={"sat-am", "sun-pm", "mon-am"},
            place=place,
        )
    )
    resident = profile(
        skills=("childcare",),
        interests="お年寄りの見守り",
        slots={"sat-am", "sun-pm"},
        place=HOME,
    )
    km = haversine_km(HOME.lat, HOME.lon, place.lat, place.lon)
    with translation.override("en"):
        (result,) = engine.rank(resident)
    assert result.reasons == (
        "Skill “保育” matches",
        "You can take part on Saturday morning and Sunday afternoon",
        f"About {km:.1f} km from home",
        # Heaviest first: 見守り carries two terms (見る, 守る), お年寄り one.
        "Your interests “見守り” and “お年寄り” match",
    )
    assert f"{km:.1f}" == "1.2"


def test_reasons_only_for_components_that_contributed():
    engine = engine_of(opportunity("a", title="防災訓練", skills=("cooking",), slots={"mon-am"}))
    with translation.override("en"):
        (result,) = engine.rank(profile(skills=("pc",), interests="読み聞かせ", slots={"sat-am"}))
        (beyond,) = engine_of(opportunity("b", place=east_of_home(6))).rank(
            profile(place=HOME, max_km=2)
        )
        (same_area,) = engine_of(opportunity("c", place=HOME)).rank(profile(place=HOME))
    assert result.reasons == ()
    assert beyond.reasons == ("About 6.0 km from home, farther than your 2 km",)
    assert same_area.reasons == ("In your neighbourhood",)


def test_a_component_weighted_zero_gives_no_reason():
    engine = engine_of(
        opportunity("a", skills=("cooking",), place=east_of_home(1)),
        weights=Weights(distance=0.0),
    )
    with translation.override("en"):
        (result,) = engine.rank(profile(skills=("cooking",), place=HOME))
    assert result.reasons == ("Skill “調理” matches",)


def test_full_opportunity_says_so():
    engine = engine_of(opportunity("a", capacity=2, accepted=2))
    with translation.override("en"):
        (result,) = engine.rank(profile())
    assert result.reasons == ("Already full",)


def test_unknown_skill_slugs_in_a_profile_are_ignored():
    engine = engine_of(opportunity("a", skills=("cooking",)), opportunity("b"))
    plain = engine.rank(profile(skills=("cooking",)))
    with_unknown = engine.rank(profile(skills=("no-such-skill", "cooking")))
    assert [(r.key, r.score) for r in with_unknown] == [(r.key, r.score) for r in plain]


def test_a_resident_who_names_no_skill_is_not_steered_to_listings_that_ask_for_none():
    engine = engine_of(
        opportunity("a-asks-nothing", title="地域活動のお手伝い", description="行事の準備です。"),
        opportunity(
            "b-cooking",
            title="こども食堂の調理",
            description="みんなで夕食をつくります。料理の好きな方。",
            skills=("cooking",),
        ),
    )
    results = engine.rank(profile(interests="地域の子どものために料理がしたい"))
    # Both are as good a fit for skills the resident never mentioned.
    assert [r.components["skills"] for r in results] == [0.5, 0.5]
    assert keys(results) == ["b-cooking", "a-asks-nothing"]
    assert results[0].score == pytest.approx(
        engine.score_naive(profile(interests="地域の子どものために料理がしたい"))["b-cooking"]
    )


def test_groups_ranking_uses_their_opportunities():
    engine = engine_of(
        opportunity("a1", title="清掃活動", skills=("cooking",), slots={"mon-am"}, group_key="a"),
        opportunity("b1", title="清掃活動", skills=("childcare",), slots={"mon-am"}, group_key="b"),
        opportunity("b2", title="清掃活動", skills=("pc",), slots={"sat-am"}, group_key="b"),
        opportunity("c1", title="絵本の読み聞かせ会", group_key="c"),
        groups=[
            Group("a", "市民の会", place=HOME),
            Group("b", "市民の会", place=HOME),
            Group("c", "市民の会", place=HOME),
        ],
    )
    resident = profile(skills=("childcare",), slots={"sat-am"}, place=HOME)
    with translation.override("en"):
        results = engine.rank(resident, kind="groups")
    assert keys(results)[0] == "b"
    best = results[0]
    assert best.kind == "group"
    # Skill from b1, slot from b2: each component is the best over the group.
    assert (best.components["skills"], best.components["availability"]) == (1.0, 1.0)
    assert "Skill “保育” matches" in best.reasons
    assert "You can take part on Saturday morning" in best.reasons
    assert best.components["crowding"] == 0.0
    # A group's text is its own plus its open opportunities'.
    reader = engine.rank(profile(interests="読み聞かせ"), kind="groups", limit=1)
    assert keys(reader) == ["c"]


def test_invalid_slot_is_a_value_error_naming_the_code():
    engine = engine_of(opportunity("a"))
    with pytest.raises(ValueError, match="sat-night"):
        engine.rank(profile(slots={"sat-am", "sat-night"}))
    with pytest.raises(ValueError, match="'bad'.*sun-night"):
        engine_of(opportunity("bad", slots={"sun-night"}))


def test_limit_and_kind_are_honoured():
    engine = engine_of(
        *(opportunity(f"o{n}", group_key=f"g{n % 3}") for n in range(8)),
        groups=[Group(f"g{n}", "会") for n in range(3)],
    )
    assert len(engine.rank(profile(), limit=3)) == 3
    assert len(engine.rank(profile(), limit=100)) == 8
    groups = engine.rank(profile(), kind="groups", limit=2)
    assert [r.kind for r in groups] == ["group", "group"]
    assert {r.kind for r in engine.rank(profile())} == {"opportunity"}
    with pytest.raises(ValueError, match="kind"):
        engine.rank(profile(), kind="events")
    with pytest.raises(ValueError, match="limit"):
        engine.rank(profile(), limit=0)


def test_equal_scores_break_ties_by_key_also_at_the_cut():
    engine = engine_of(*(opportunity(key) for key in ["d", "b", "a", "c"]))
    assert keys(engine.rank(profile(), limit=2)) == ["a", "b"]
    assert keys(engine.rank(profile())) == ["a", "b", "c", "d"]


def test_build_rejects_duplicate_keys_and_negative_weights():
    with pytest.raises(ValueError, match="duplicate opportunity key 'a'"):
        engine_of(opportunity("a"), opportunity("a"))
    with pytest.raises(ValueError, match="text"):
        engine_of(opportunity("a"), weights=Weights(text=-0.1))


def test_records_take_lists_and_reject_nonsense():
    record = Opportunity("a", "t", skills=["pc", "pc", "cooking"], slots=["sat-am"])
    assert record.skills == ("pc", "cooking")
    assert record.slots == frozenset({"sat-am"})
    assert hash(record) == hash(Opportunity("a", "t", skills=("pc", "cooking"), slots={"sat-am"}))
    with pytest.raises(ValueError, match="capacity"):
        Opportunity("a", "t", capacity=-1)
    with pytest.raises(ValueError, match="max_km"):
        Profile("p", max_km=-1)
    with pytest.raises(ValueError):
        Place(135.0, 35.0)  # latitude and longitude swapped


def test_engine_survives_pickling():
    engine = engine_of(opportunity("a", title="保育", skills=("childcare",)))
    resident = profile(skills=("childcare",), interests="保育")
    assert pickle.loads(pickle.dumps(engine)).rank(resident) == engine.rank(resident)


def test_empty_engine_ranks_nothing():
    engine = MatchingEngine.build([])
    assert engine.rank(profile(interests="保育")) == []
    assert engine.rank(profile(), kind="groups") == []


# -- the vectorised engine against the plain loop ------------------------------

WORDS = [
    "子育て",
    "高齢者の見守り",
    "お年寄り",
    "防災訓練",
    "清掃活動",
    "翻訳・通訳",
    "パソコン相談",
    "読み聞かせ",
    "工作教室",
    "ものづくり",
    "子ども食堂",
    "花壇の手入れ",
    "地域のお祭り",
]


def random_records(seed, opportunity_count=500, profile_count=20):
    rng = random.Random(seed)
    slugs = [skill.slug for skill in SKILLS] + ["not-in-taxonomy"]

    def place():
        if rng.random() < 0.1:
            return None
        return Place(rng.uniform(35.69, 35.73), rng.uniform(139.52, 139.60))

    def text(count):
        return "、".join(rng.sample(WORDS, count)) + "。"

    opportunities = []
    for number in range(opportunity_count):
        capacity = rng.choice([None, None, 0, 1, 3, 10])
        opportunities.append(
            Opportunity(
                key=f"o{number:04d}",
                title=text(1),
                description=text(rng.randint(0, 3)),
                skills=tuple(rng.sample(slugs, rng.randint(0, 3))),
                slots=frozenset(rng.sample(SLOT_CODES, rng.randint(0, 5))),
                place=place(),
                capacity=capacity,
                accepted=rng.randint(0, capacity or 3),
                pending=rng.randint(0, 6),
                is_open=rng.random() > 0.05,
                group_key=f"g{rng.randrange(30)}",
            )
        )
    profiles = [
        Profile(
            key=f"p{number}",
            skills=tuple(rng.sample(slugs + ["unknown"], rng.randint(0, 3))),
            interests=text(rng.randint(0, 2)),
            slots=frozenset(rng.sample(SLOT_CODES, rng.randint(0, 6))),
            place=place(),
            max_km=rng.choice([0.0, 1.0, 3.0, 5.0]),
        )
        for number in range(profile_count)
    ]
    groups = [Group(f"g{n}", text(1), text(1), place=place()) for n in range(30)]
    return opportunities, groups, profiles


@pytest.mark.parametrize("weights", [Weights(), Weights(text=0.1, distance=1.0)])
def test_rank_scores_equal_the_naive_loop(weights):
    opportunities, groups, profiles = random_records(seed=4)
    engine = MatchingEngine.build(opportunities, groups, SKILLS, weights=weights)
    for resident in profiles:
        naive = engine.score_naive(resident)
        ranked = engine.rank(resident, limit=len(opportunities))
        assert len(ranked) == engine.opportunity_count == len(naive)
        assert sorted(keys(ranked)) == sorted(naive)
        vectorised = [result.score for result in ranked]
        assert np.allclose(vectorised, [naive[result.key] for result in ranked])
        assert vectorised == sorted(vectorised, reverse=True)
        # With a limit, only candidates that can reach the top get a distance:
        # the top is still the naive loop's top.
        top = engine.rank(resident, limit=10)
        best_naive = sorted(naive.values(), reverse=True)[:10]
        assert np.allclose([result.score for result in top], best_naive)
        assert np.allclose([result.score for result in top], [naive[r.key] for r in top])


def test_rank_many_equals_rank_per_profile():
    opportunities, groups, profiles = random_records(seed=5, profile_count=20)
    engine = MatchingEngine.build(opportunities, groups, SKILLS)
    for kind in ("opportunities", "groups"):
        batch = engine.rank_many(profiles, limit=15, kind=kind)
        assert len(batch) == len(profiles)
        for resident, results in zip(profiles, batch, strict=True):
            one = engine.rank(resident, limit=15, kind=kind)
            assert keys(results) == keys(one)
            assert [r.reasons for r in results] == [r.reasons for r in one]
            assert np.allclose([r.score for r in results], [r.score for r in one])
