"""The site's side of matching on a search engine, without one: what editors'
and coordinators' changes send to the index, and ranking when the engine is
not there (tests/matching/test_search_engine.py has a live node)."""

import datetime
import io
import json

import pytest

from django.core.management import CommandError, call_command
from django.utils import timezone

from cms.groups.models import GroupIndexPage
from matching import search_index, services, sources
from tests.factories import GroupPageFactory
from tests.matching.factories import OpportunityPageFactory

pytestmark = pytest.mark.django_db

# Nothing listens on the discard port: an engine that is down.
DOWN = "http://127.0.0.1:9"


@pytest.fixture
def index_calls(settings, monkeypatch):
    """An engine configured, its index updates recorded instead of sent."""
    settings.OPENSEARCH_URL = DOWN
    calls = []
    monkeypatch.setattr(
        search_index,
        "update_index",
        lambda opportunity_ids=(), group_ids=(): calls.append(
            ("pages", sorted(opportunity_ids), sorted(group_ids))
        ),
    )
    monkeypatch.setattr(
        search_index,
        "update_crowding",
        lambda opportunity_ids: calls.append(("crowding", sorted(opportunity_ids), [])),
    )
    return calls


@pytest.fixture
def group():
    return GroupPageFactory(parent=GroupIndexPage.objects.first(), title="竹とんぼの会")


@pytest.fixture
def page(group):
    return OpportunityPageFactory(parent=group, title="竹とんぼ作り")


def test_publishing_closing_and_unpublishing_update_the_index(
    page, group, index_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page.is_open = False
        page.save_revision().publish()
        group.save_revision().publish()
        page.unpublish()
    assert index_calls == [
        ("pages", [page.pk], []),
        ("pages", [], [group.pk]),
        ("pages", [page.pk], []),
    ]


def test_moving_an_opportunity_updates_both_groups(
    page, group, index_calls, django_capture_on_commit_callbacks
):
    before, after = group, GroupPageFactory(parent=group.get_parent(), title="こまの会")
    with django_capture_on_commit_callbacks(execute=True):
        page.move(after, pos="last-child")
    assert index_calls == [("pages", [page.pk], sorted([before.pk, after.pk]))]


def test_suggestions_update_how_crowded_the_index_says_it_is(
    resident, index_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = services.refresh_suggestions(resident)
        services.change_status(created[0], "accepted")
    kinds = [call[0] for call in index_calls]
    assert kinds == ["crowding", "crowding"]
    assert index_calls[0][1] == sorted(s.opportunity_id for s in created)
    assert index_calls[1][1] == [created[0].opportunity_id]


def test_without_an_engine_only_the_in_process_engines_are_told(
    group, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(search_index, "update_index", lambda *a, **k: pytest.fail("indexed"))
    before = sources.engine_version()
    with django_capture_on_commit_callbacks(execute=True):
        group.save_revision().publish()
    assert sources.engine_version() > before
    assert services.current_ranker() is None


def rank_api(client, profile):
    return client.post(
        "/api/matching/rank/?limit=3", data=json.dumps(profile), content_type="application/json"
    )


def test_with_the_engine_down_residents_are_ranked_in_process(
    civic_data, settings, client, caplog, monkeypatch
):
    settings.OPENSEARCH_URL = DOWN
    profile = {"skills": ["cooking"], "interests": "子どもと料理", "slots": ["sat-pm"]}
    with caplog.at_level("WARNING", logger="matching.services"):
        response = rank_api(client, profile)
    assert response.status_code == 200
    assert response.json()["results"][0]["slug"] == "sample-shokudo-chori"
    assert "search engine unavailable" in caplog.text
    # For a while the engine is not asked again: no waiting on every request.
    monkeypatch.setattr(search_index, "ranker", lambda weights: pytest.fail("asked again"))
    assert rank_api(client, profile).status_code == 200


def test_the_rebuild_command_says_why_it_cannot(settings):
    settings.OPENSEARCH_URL = settings.ELASTICSEARCH_URL = None
    with pytest.raises(CommandError, match="set OPENSEARCH_URL"):
        call_command("rebuild_matching_index", stdout=io.StringIO())
    settings.OPENSEARCH_URL = DOWN
    with pytest.raises(CommandError, match="not rebuilt: ConnectionError"):
        call_command("rebuild_matching_index", stdout=io.StringIO())


def test_opportunities_that_ended_yesterday_leave_the_index(group, index_calls):
    from matching.tasks import index_ended_opportunities

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ended = OpportunityPageFactory(parent=group, title="先週までの募集", ends=yesterday)
    next_month = yesterday + datetime.timedelta(days=30)
    OpportunityPageFactory(parent=group, title="続く募集", ends=next_month)
    index_ended_opportunities.delay()
    assert index_calls == [("pages", [ended.pk], [])]
