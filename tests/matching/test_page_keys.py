"""Opportunities and groups are known to the engine by page id: Wagtail keeps
slugs unique only among siblings, so two groups may each have an `otetsudai`."""

import json

import pytest

from cms.core.models import Area
from cms.groups.models import GroupIndexPage
from matching import services, sources
from matching.importer import import_civic_data
from tests.factories import GroupPageFactory
from tests.matching.factories import OpportunityPageFactory, ResidentProfileFactory, SkillFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_otetsudai():
    """Two groups, each asking for help with cooking under the slug `otetsudai`."""
    index = GroupIndexPage.objects.first()
    cooking = SkillFactory(slug="cooking-help", name="調理補助")
    pages = []
    for slug, name in (("sakura", "さくら食堂"), ("keyaki", "けやき食堂")):
        group = GroupPageFactory(parent=index, slug=slug, title=name)
        pages.append(
            OpportunityPageFactory(
                parent=group, slug="otetsudai", title=f"{name}のお手伝い", skills=[cooking]
            )
        )
    return pages


def test_same_slug_in_two_groups_both_rank(two_otetsudai, client):
    response = client.post(
        "/api/matching/rank/?limit=50",
        data=json.dumps({"skills": ["cooking-help"], "interests": "食堂のお手伝い"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    results = [r for r in response.json()["results"] if r["slug"] == "otetsudai"]
    assert sorted(r["id"] for r in results) == sorted(page.pk for page in two_otetsudai)
    assert {r["title"] for r in results} == {"さくら食堂のお手伝い", "けやき食堂のお手伝い"}


def test_same_slug_in_two_groups_are_both_suggested(two_otetsudai):
    resident = ResidentProfileFactory(
        skills=[two_otetsudai[0].skills.get()], interests="食堂のお手伝い"
    )
    suggested = {s.opportunity for s in services.refresh_suggestions(resident)}
    assert set(two_otetsudai) <= suggested


def test_records_name_their_group_by_page_id(two_otetsudai):
    records = {r.key: r for r in sources.opportunity_records() if r.slug == "otetsudai"}
    assert {key: r.group_key for key, r in records.items()} == {
        page.pk: page.get_parent().pk for page in two_otetsudai
    }


def test_the_importer_updates_the_named_groups_otetsudai_only(two_otetsudai):
    sakura, keyaki = two_otetsudai
    record = {
        "slug": "otetsudai",
        "group": "keyaki",
        "title": "けやき食堂の調理補助",
        "description": "週末の調理を手伝ってください。",
        "skills": ["cooking-help"],
        "slots": ["sat-pm"],
        "area": Area.objects.first().slug,
    }
    report = import_civic_data({"opportunities": [record]})
    assert report.updated == {"opportunities": 1} and not report.created
    sakura.refresh_from_db()
    keyaki.refresh_from_db()
    assert (sakura.title, keyaki.title) == ("さくら食堂のお手伝い", "けやき食堂の調理補助")
    assert keyaki.get_parent().slug == "keyaki"
