"""Retrieval on the search engine, on plain records and without a server: the
indexed documents and the query bodies score what the ranking scores.

The queries are evaluated here by a small reading of the DSL parts they use
(bool, term(s), rank_feature, constant_score, distance_feature, nested, and
function_score with the distance script), after the OpenSearch/Elasticsearch
reference, without the engine's 9-bit rounding of rank features.
tests/matching/test_search_engine.py runs them on a live node.
"""

import math

import pytest

from matching.engine import Group, MatchingEngine, Opportunity, Place, Profile, Skill, Weights
from matching.engine.geo import haversine_km
from matching.engine.indexing import Corpus, feature, index_body
from matching.engine.ranking import FULL_PENALTY, distance_score
from matching.engine.retrieval import DISTANCE_SCRIPT, _Analysed, group_query, opportunity_query
from matching.engine.text import TaxonomyText

HOME = Place(35.7023, 139.5434)
SKILLS = (
    Skill("childcare", "保育", ("子守り",)),
    Skill("cooking", "調理", ("料理",)),
    Skill("pc", "パソコン", ("スマホ",)),
)


def east(km):
    return Place(HOME.lat, HOME.lon + km / (111.32 * math.cos(math.radians(HOME.lat))))


def opportunity(key, title, group_key, **fields):
    return Opportunity(key=key, title=title, group_key=group_key, **fields)


OPPORTUNITIES = [
    opportunity(
        1, "子ども食堂の調理", 10, description="子どもたちと料理をします。",
        skills=("cooking",), slots={"sat-pm"}, place=east(0.4), capacity=3, accepted=1, pending=1,
    ),
    opportunity(
        2, "保育と調理の手伝い", 10, skills=("childcare", "cooking", "pc"),
        slots={"sat-pm", "sun-am"}, place=east(2.5),
    ),
    opportunity(
        3, "パソコン教室", 11, description="スマホの使い方を教えます。", skills=("pc",),
        place=east(6.0), capacity=2, accepted=2,
    ),
    opportunity(4, "見守り", 11, description="高齢者の見守りです。", slots={"mon-am"}, pending=4),
    opportunity(
        5, "料理教室の受付", 12, description="受付をします.", place=HOME, capacity=10, pending=9
    ),
]  # fmt: skip
GROUPS = [
    Group(10, "食堂の会", "子ども食堂を開いています。", ("子ども",), HOME),
    Group(11, "パソコンの会", "", (), east(3.0)),
    Group(12, "受付の会", "", (), None),
    Group(13, "まだ募集のない会", "花壇の手入れ", (), east(1.0)),
]
PROFILES = [
    Profile("a", ("cooking",), "子どもと料理がしたい", {"sat-pm"}, HOME, 2.0),
    Profile("b", ("pc", "childcare"), "スマホを教える", {"sun-am", "mon-am"}, east(1.0), 0.0),
    Profile("c", (), "見守り", frozenset(), None, 3.0),
    Profile("d", ("cooking", "pc"), "", {"sat-pm", "sun-am"}, east(3.0), 5.0),
]
WEIGHTS = [Weights(), Weights(text=0.1, distance=1.0, distance_decay_km=0.5)]


# -- a reading of the DSL -------------------------------------------------------


def km_of(value):
    assert value.endswith("km")
    return float(value[:-2])


def distance_km(document, origin):
    """km from the origin ({"lat", "lon"}) to the document's location."""
    where = document["location"]
    return haversine_km(origin["lat"], origin["lon"], where["lat"], where["lon"])


def matches(query, document):
    ((kind, spec),) = query.items()
    if kind == "term":
        ((field, value),) = spec.items()
        found = document.get(field)
        return value in found if isinstance(found, list) else found == value
    if kind == "terms":
        ((field, values),) = spec.items()
        return document.get(field) in values
    if kind == "exists":
        return spec["field"] in document
    if kind == "match_all":
        return True
    if kind == "bool":
        return (
            all(matches(q, document) for q in spec.get("filter", []))
            and not any(matches(q, document) for q in spec.get("must_not", []))
            and (not spec.get("should") or spec.get("filter") or spec.get("must_not")
                 or any(score(q, document) is not None for q in spec["should"]))
        )  # fmt: skip
    raise AssertionError(f"not read here: {kind}")


def script_score(spec, document):
    """DISTANCE_SCRIPT, read: the only script the queries use."""
    assert spec["script"]["source"] == DISTANCE_SCRIPT
    params = spec["script"]["params"]
    if "location" not in document:
        return params["unknown"]
    km = distance_km(document, params)
    if km <= params["max_km"]:
        return params["weight"] * (1.0 - 0.5 * km / params["max_km"] if params["max_km"] else 1.0)
    return params["weight"] * 0.5 * math.exp(-(km - params["max_km"]) / params["decay_km"])


def score(query, document):
    """The query's score of the document, None when it does not match."""
    ((kind, spec),) = query.items()
    if kind == "rank_feature":
        # A feature's name holds no dot: the field is what comes before the last.
        field, _dot, name = spec["field"].rpartition(".")
        value = document.get(name) if not field else document.get(field, {}).get(name)
        assert "linear" in spec
        return None if value is None else spec["boost"] * value
    if kind == "constant_score":
        return spec["boost"] if matches(spec["filter"], document) else None
    if kind == "distance_feature":
        if "location" not in document:
            return None
        pivot = km_of(spec["pivot"])
        return spec["boost"] * pivot / (pivot + distance_km(document, spec["origin"]))
    if kind == "nested":
        assert spec["score_mode"] == "max"
        scores = [score(spec["query"], member) for member in document[spec["path"]]]
        scores = [value for value in scores if value is not None]
        return max(scores) if scores else None
    if kind == "bool":
        if not matches({"bool": {**spec, "should": []}}, document):
            return None
        found = [score(q, document) for q in spec.get("should", [])]
        found = [value for value in found if value is not None]
        if not found and not (spec.get("filter") or spec.get("must_not")):
            return None
        return sum(found)
    if kind == "function_score":
        base = score(spec["query"], document)
        if base is None:
            return None
        assert (spec["score_mode"], spec["boost_mode"]) == ("sum", "sum")
        return base + sum(script_score(f["script_score"], document) for f in spec["functions"])
    raise AssertionError(f"not read here: {kind}")


def nested_members(document):
    """A group's nested members, named by their full path as queries name them."""
    return [
        {f"members.{name}": value for name, value in member.items()}
        for member in document["members"]
    ]


def exact_scores(body, documents):
    """{key: score} of the rescore query (the exact one) over documents."""
    rescore = body.get("rescore", {}).get("query", {}).get("rescore_query")
    query = rescore or body["query"]
    return {key: score(query, document) for key, document in documents.items()}


# -- tests ----------------------------------------------------------------------


def corpus_documents():
    corpus = Corpus(OPPORTUNITIES, GROUPS, SKILLS)
    documents = {"opportunities": {}, "groups": {}}
    for kind, key, document in corpus.documents():
        documents[kind][key] = document
    return corpus, documents


def query_terms(corpus, profile):
    taxonomy = TaxonomyText(SKILLS)
    terms = taxonomy.analyzer((profile.interests, *taxonomy.words(profile.skills)))
    weights = corpus.vocabulary.weigh_terms(terms)
    return {corpus.vocabulary.terms[column]: weight for column, weight in weights.items()}


@pytest.mark.parametrize("weights", WEIGHTS)
def test_the_query_scores_opportunities_as_the_ranking_does(weights):
    corpus, documents = corpus_documents()
    engine = MatchingEngine.build(OPPORTUNITIES, GROUPS, SKILLS, weights)
    for profile in PROFILES:
        terms = query_terms(corpus, profile)
        expected = engine.score_naive(profile)
        body = opportunity_query(profile, terms, weights)
        found = exact_scores(body, documents["opportunities"])
        # Off by what is the same for all: the crowding clauses add what is
        # not full the full penalty less its own (1 − penalty, and the rest),
        # and without a home every distance is 1/2.
        homeless = 0.5 * weights.distance if profile.place is None else 0.0
        shift = FULL_PENALTY * weights.crowding - homeless
        assert found == pytest.approx({key: value + shift for key, value in expected.items()})


def test_the_first_pass_stands_in_for_distance_with_the_same_ends():
    corpus, documents = corpus_documents()
    weights = Weights()
    profile = PROFILES[0]
    body = opportunity_query(profile, query_terms(corpus, profile), weights)
    (stand_in,) = [
        c["distance_feature"] for c in body["query"]["bool"]["should"] if "distance_feature" in c
    ]
    pivot = km_of(stand_in["pivot"])
    # 1 at home, 1/2 at the resident's maximum, as the ranking's distance.
    for km in (0.0, profile.max_km):
        assert pivot / (pivot + km) == pytest.approx(distance_score(km, profile.max_km, 2.0))
    assert body["rescore"]["query"]["query_weight"] == 0.0
    assert body["track_total_hits"] is False


def test_the_first_pass_gives_full_skills_and_slots_where_they_all_fit():
    corpus, documents = corpus_documents()
    weights = Weights(text=0.0, distance=0.0, crowding=0.0)
    engine = MatchingEngine.build(OPPORTUNITIES, GROUPS, SKILLS, weights)
    for profile in PROFILES:
        body = opportunity_query(profile, {}, weights)
        first = {key: score(body["query"], d) for key, d in documents["opportunities"].items()}
        ranked = {r.key: r.components for r in engine.rank(profile, limit=100)}
        for key, components in ranked.items():
            first[key] = first[key] or 0.0  # not matched by the first pass
            fits = [components[name] in (0.5, 1.0) for name in ("skills", "availability")]
            exact = (
                weights.skills * components["skills"]
                + weights.availability * components["availability"]
            )
            # What fits in full counts in full; what fits in part, not yet.
            if all(fits):
                assert first[key] == pytest.approx(exact)
            else:
                assert first[key] <= exact


@pytest.mark.parametrize("max_km, decay_km", [(2.0, 2.0), (0.0, 2.0), (5.0, 0.5)])
def test_the_rescore_has_the_rankings_distance(max_km, decay_km):
    weights = Weights(distance_decay_km=decay_km)
    body = opportunity_query(Profile("p", place=HOME, max_km=max_km), {}, weights)
    (function,) = body["rescore"]["query"]["rescore_query"]["function_score"]["functions"]
    for km in (0.0, 0.3, 1.0, 2.0, 2.5, 5.0, 8.0, 20.0):
        document = {"location": {"lat": east(km).lat, "lon": east(km).lon}}
        real_km = haversine_km(HOME.lat, HOME.lon, east(km).lat, east(km).lon)
        expected = weights.distance * distance_score(real_km, max_km, decay_km)
        assert script_score(function["script_score"], document) == pytest.approx(expected)
    assert script_score(function["script_score"], {}) == 0.5 * weights.distance


@pytest.mark.parametrize("weights", WEIGHTS)
def test_the_query_scores_groups_as_the_ranking_does(weights):
    corpus, documents = corpus_documents()
    engine = MatchingEngine.build(OPPORTUNITIES, GROUPS, SKILLS, weights)
    groups = {
        key: {**document, "members": nested_members(document)}
        for key, document in documents["groups"].items()
    }
    for profile in PROFILES:
        body = group_query(profile, query_terms(corpus, profile), weights)
        found = exact_scores(body, groups)
        homeless = 0.5 * weights.distance if profile.place is None else 0.0
        expected = {
            r.key: r.score - homeless for r in engine.rank(profile, kind="groups", limit=100)
        }
        assert found == pytest.approx(expected)


def test_candidates_ranked_with_the_whole_vocabulary_score_as_in_process():
    corpus, documents = corpus_documents()
    engine = MatchingEngine.build(OPPORTUNITIES, GROUPS, SKILLS)
    analysed = _Analysed(
        corpus.vocabulary,
        TaxonomyText(SKILLS),
        {key: document["tf"] for key, document in documents["opportunities"].items()},
        {},
    )
    for profile in PROFILES:
        everything = engine.rank(profile, limit=100)
        candidates = [item for item in OPPORTUNITIES if item.key in {r.key for r in everything[:3]}]
        few = MatchingEngine.of_analysed(candidates, (), analysed).rank(profile, limit=100)
        assert few == everything[:3]


def test_terms_with_dots_are_feature_names_and_the_index_is_strict():
    assert feature("3.5") == "3\u20245" and "." not in feature("U.S.A.")
    body = index_body("opportunities")
    assert body["mappings"]["dynamic"] == "strict"
    assert body["mappings"]["properties"]["text"] == {"type": "rank_features"}
    assert body["mappings"]["properties"]["location"] == {"type": "geo_point"}
