"""Matching on the search engine, against a live OpenSearch node.

Skipped (with the reason) without OPENSEARCH_URL; failing instead under
REQUIRE_SEARCH_ENGINE=1. Every index lives under a prefix of its own for
this test session, deleted at the end.
"""

import io
import json
import uuid

import pytest
from opensearchpy import OpenSearch

from django.core.management import call_command
from django.utils import translation

from bench.matching import generate
from cms.groups.models import GroupIndexPage
from matching import search_index, services, sources
from matching.engine import MatchingEngine, indexing, retrieval
from matching.engine.evaluation import mean, ndcg_at_k
from matching.engine.ranking import FULL_PENALTY
from matching.evaluation_io import graded_by_key, load_evaluation_set
from matching.importer import load_file
from matching.sources import profile_from_data
from tests.conftest import search_engine_url
from tests.factories import GroupPageFactory
from tests.matching.factories import OpportunityPageFactory, SkillFactory

# What "the same quality" means here, for the engine path against the
# in-process engine on the same data.
SAME_TOP_10 = 0.95
NDCG_TOLERANCE = 0.01


@pytest.fixture(scope="session")
def index_prefix():
    """A prefix for this session's indices, all deleted afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:12]}-"
    yield prefix
    url = search_engine_url()
    if url:
        client = OpenSearch(url)
        for index in client.indices.get(index=f"{prefix}*", ignore_unavailable=True):
            client.indices.delete(index=index)


@pytest.fixture
def engine(require_search_engine, settings, index_prefix):
    """The site configured for the search engine, with this session's indices."""
    settings.OPENSEARCH_URL = require_search_engine
    settings.MATCHING_INDEX_PREFIX = index_prefix
    yield require_search_engine
    search_index.delete_index()


def in_process_engine():
    return MatchingEngine.build(
        sources.opportunity_records(),
        groups=sources.group_records(),
        skills=sources.skill_records(),
        weights=services.current_weights(),
    )


def keys(results):
    return [result.key for result in results]


def same_share(ranked, reference):
    return mean(keys(a) == keys(b) for a, b in zip(ranked, reference, strict=True))


def reference_grades(results):
    """Grades from the in-process ranking itself: 3 for its top 3, 2 for the
    next 3, 1 for the rest of its top 10 (for profiles without judgments)."""
    return {key: 3 - min(position // 3, 2) for position, key in enumerate(keys(results))}


def test_the_engine_ranks_the_samples_as_the_in_process_engine(civic_data, samples, engine):
    call_command("rebuild_matching_index", stdout=io.StringIO())
    data = load_file(samples / "profiles.json")
    profiles = [profile_from_data(item) for item in data]
    local = in_process_engine()
    assert services.current_ranker() is not None, "ranking goes to the search engine"
    judgments = graded_by_key(
        load_file(samples / "judgments.json"),
        sources.opportunity_records(),
        sources.group_records(),
    )
    for kind in ("opportunities", "groups"):
        ranked = services.rank_many(profiles, kind=kind)
        reference = local.rank_many(profiles, kind=kind)
        assert same_share(ranked, reference) >= SAME_TOP_10, kind
        for mine, theirs in zip(ranked, reference, strict=True):
            # Candidates are scored by the same code with the same vocabulary.
            assert [r.reasons for r in mine] == [r.reasons for r in theirs]
            assert [r.score for r in mine] == pytest.approx([r.score for r in theirs])
    ndcg = {
        name: mean(
            ndcg_at_k(keys(rank(profile)), judgments[profile.key])
            for profile in profiles
            if profile.key in judgments
        )
        for name, rank in (("engine", services.rank), ("in-process", local.rank))
    }
    assert ndcg["in-process"] > 0.5
    assert abs(ndcg["engine"] - ndcg["in-process"]) <= NDCG_TOLERANCE


def test_the_engine_ranks_generated_profiles_as_the_in_process_engine(engine):
    skills, groups, opportunities, profiles = generate(3_000, 100, seed=7)
    corpus = indexing.Corpus(opportunities, groups, skills)
    client, names = OpenSearch(engine), search_index.index_names()
    indexing.rebuild(client, names, corpus, suffix="generated")
    ranker = retrieval.SearchEngineRanker(
        client, names, vocabulary=indexing.load_vocabulary(client, names), skills=skills
    )
    local = MatchingEngine.build(opportunities, groups, skills)
    # The engine's own scores are the ranking's (less a constant; rank
    # features keep 9 significant bits).
    weights = ranker.weights
    for profile, hits in zip(profiles[:20], ranker.retrieve_many(profiles[:20]), strict=True):
        expected = local.score_naive(profile)
        shift = FULL_PENALTY * weights.crowding
        shift -= 0.5 * weights.distance if profile.place is None else 0.0
        for hit in hits:
            assert hit["_score"] == pytest.approx(expected[hit["_source"]["key"]] + shift, abs=5e-3)
    for kind in ("opportunities", "groups"):
        ranked = ranker.rank_many(profiles, kind=kind)
        reference = local.rank_many(profiles, kind=kind)
        assert same_share(ranked, reference) >= SAME_TOP_10, kind
        grades = [reference_grades(results) for results in reference]
        ndcg = mean(
            ndcg_at_k(keys(results), graded) for results, graded in zip(ranked, grades, strict=True)
        )
        assert ndcg >= 1.0 - NDCG_TOLERANCE, kind


def test_the_engine_ranks_residents_own_words_as_the_in_process_engine(engine):
    """With the bridge: the same expanded query, the same order, the same reasons."""
    evaluation = load_evaluation_set("matching/samples/evaluation")
    records = (evaluation.opportunities, evaluation.groups, evaluation.skills)
    client, names = OpenSearch(engine), search_index.index_names()
    indexing.rebuild(client, names, indexing.Corpus(*records), suffix="residents")
    ranker = retrieval.SearchEngineRanker(
        client, names, vocabulary=indexing.load_vocabulary(client, names), skills=records[2]
    )
    local = MatchingEngine.build(*records)
    assert ranker.bridge is not None
    profiles = list(evaluation.profiles.values())
    reasons = []
    with translation.override("en"):
        for kind in ("opportunities", "groups"):
            ranked = ranker.rank_many(profiles, kind=kind)
            reference = local.rank_many(profiles, kind=kind)
            assert same_share(ranked, reference) >= SAME_TOP_10, kind
            for mine, theirs in zip(ranked, reference, strict=True):
                if keys(mine) == keys(theirs):
                    assert [r.reasons for r in mine] == [r.reasons for r in theirs]
                reasons += [reason for result in mine for reason in result.reasons]
    assert any("close in meaning" in reason for reason in reasons)


def rank_api(client, profile, **params):
    query = "&".join(f"{name}={value}" for name, value in {"limit": 50, **params}.items())
    response = client.post(
        f"/api/matching/rank/?{query}", data=json.dumps(profile), content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()["results"]


def publish(page, django_capture_on_commit_callbacks):
    """Publish as an editor does: the follow-up tasks run (Celery is eager in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()


def test_publishing_closing_and_unpublishing_reach_the_index(
    civic_data, engine, client, django_capture_on_commit_callbacks
):
    call_command("rebuild_matching_index", stdout=io.StringIO())
    crafts = SkillFactory(slug="bamboo-crafts", name="竹細工")
    group = GroupPageFactory(parent=GroupIndexPage.objects.first(), title="竹とんぼの会")

    def published(page):
        publish(page, django_capture_on_commit_callbacks)

    published(group)
    page = OpportunityPageFactory(parent=group, title="竹とんぼ作り教室の講師", live=False)
    page.skills.set([crafts])
    resident = {"skills": ["bamboo-crafts"], "interests": "竹とんぼ"}

    published(page)
    assert [r["id"] for r in rank_api(client, resident)][:1] == [page.pk]
    assert group.pk in [r["id"] for r in rank_api(client, resident, kind="groups")][:3]

    page.is_open = False
    published(page)
    assert page.pk not in [r["id"] for r in rank_api(client, resident)]

    page.is_open = True
    published(page)
    assert page.pk in [r["id"] for r in rank_api(client, resident)]
    page.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert page.pk not in [r["id"] for r in rank_api(client, resident)]
