"""What a page shows is what search knows: speakers, areas, rooms, skills, activities.

Pages are published as editors publish them (a revision, then publish) and
searched as residents search: through Page.objects.live().search() or the
search page. The re-indexing that follows related objects runs when the
editor's transaction commits, so the publishing happens inside
django_capture_on_commit_callbacks(execute=True).
"""

import pytest

from cms.activities.models import ActivityIndexPage, ActivityPage, ActivitySpeaker
from cms.core.models import Area
from cms.facilities.models import FacilityIndexPage, FacilityRoom
from cms.groups.models import GroupIndexPage
from matching.models import TimeSlot
from tests.factories import (
    ActivityPageFactory,
    FacilityPageFactory,
    GroupPageFactory,
)
from tests.matching.factories import OpportunityPageFactory, SkillFactory
from tests.search.found import titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block does as one committed request would (on_commit included)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def activities_index():
    return ActivityIndexPage.objects.get(slug="activities")


def publish(page):
    page.save_revision().publish()
    return page


def test_a_speakers_affiliation_and_role_find_the_lecture(client, committed):
    with committed():
        lecture = ActivityPageFactory(parent=activities_index(), title="まちの記録を残す講座")
        speaker = ActivitySpeaker(
            role="commentator", name="山辺花子", affiliation="記録の会 専任スタッフ"
        )
        lecture.speakers = [speaker]
        publish(lecture)
    assert "まちの記録を残す講座" in titles("専任スタッフ")
    assert "まちの記録を残す講座" in titles("山辺花子")
    # The role as the page shows it (コメンテーター), not the stored code.
    assert "まちの記録を残す講座" in titles("記録 コメンテーター")
    html = client.get("/search/", {"query": "専任スタッフ"}).content.decode()
    assert f'href="{lecture.url}"' in html


def test_the_name_of_an_area_finds_its_group_facility_and_activity(committed):
    area = Area.objects.get(name="吉祥寺北町")
    with committed():
        group = GroupPageFactory(
            parent=GroupIndexPage.objects.get(), title="北町おはなし会", area=area
        )
        facility = FacilityPageFactory(
            parent=FacilityIndexPage.objects.get(), title="北町ひろば", area=area
        )
        ActivityPageFactory(parent=activities_index(), title="絵本の読み聞かせ", venue=facility)
    found = titles("吉祥寺北町")
    assert {group.title, facility.title, "絵本の読み聞かせ"} <= set(found)


def test_a_room_name_and_its_equipment_find_the_facility(committed):
    with committed():
        facility = FacilityPageFactory(parent=FacilityIndexPage.objects.get(), title="北町ひろば")
        facility.rooms = [FacilityRoom(name="多目的ホール", has_projector=True)]
        publish(facility)
    assert "北町ひろば" in titles("多目的ホール")
    assert "北町ひろば" in titles("多目的ホール プロジェクター")


def test_a_skills_alias_finds_the_opportunity(committed):
    skill = SkillFactory(name="翻訳", slug="translation-test", aliases="通訳、外国語")
    group = GroupPageFactory(parent=GroupIndexPage.objects.get(), title="多文化の会")
    with committed():
        OpportunityPageFactory(parent=group, title="窓口の手伝い", skills=[skill])
    assert "窓口の手伝い" in titles("通訳")
    # The group the page names above its title finds it too.
    assert "窓口の手伝い" in titles("多文化の会")


def test_an_opportunitys_weekly_times_find_it(committed):
    group = GroupPageFactory(parent=GroupIndexPage.objects.get(), title="多文化の会")
    with committed():
        OpportunityPageFactory(parent=group, title="窓口の手伝い", slots=["sat-am"])
    saturday_morning = str(TimeSlot.objects.get(code="sat-am"))
    assert "窓口の手伝い" in titles(f"窓口 {saturday_morning}")


def test_a_group_is_found_by_the_title_of_an_activity_it_took_part_in(committed):
    group = GroupPageFactory(parent=GroupIndexPage.objects.get(), title="緑のまち研究会")
    with committed():
        activity = ActivityPageFactory(parent=activities_index(), title="雨水タンク見学会")
        activity.participations.create(group=group)
        publish(activity)
        # A draft the page does not list yet is not searchable through it.
        draft = ActivityPageFactory(parent=activities_index(), title="屋上緑化の相談会", live=False)
        draft.participations.create(group=group)
    assert {"雨水タンク見学会", "緑のまち研究会"} <= set(titles("雨水タンク"))
    assert "緑のまち研究会" not in titles("屋上緑化")


def test_related_text_is_found_on_the_search_engine(require_search_engine, settings):
    """RelatedFields reach the engine as nested documents, searched with the page."""
    import uuid

    from wagtail.search.backends import get_search_backend

    from tests.search.test_engine import config

    prefix = f"musashino_test_{uuid.uuid4().hex[:8]}_"
    settings.WAGTAILSEARCH_BACKENDS = {"default": config(require_search_engine, prefix)}
    lecture = ActivityPageFactory(parent=activities_index(), title="まちの記録を残す講座")
    lecture.speakers = [
        ActivitySpeaker(role="lecturer", name="山辺花子", affiliation="記録の会 専任スタッフ")
    ]
    lecture.save()
    backend = get_search_backend()
    index = backend.get_index_for_model(ActivityPage)
    try:
        index.reset()
        index.add_model(ActivityPage)
        index.add_item(lecture)
        index.refresh()
        assert titles("山辺花子") == ["まちの記録を残す講座"]
        assert titles("専任スタッフ") == ["まちの記録を残す講座"]
    finally:
        backend.es.indices.delete(index=f"{prefix}*")
