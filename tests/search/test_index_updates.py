"""The index follows what editors do: publish, unpublish, move, delete, rebuild."""

import pytest

from django.core.management import call_command

from wagtail.search.models import IndexEntry

from cms.activities.models import ActivityIndexPage, ActivityPage, ActivitySpeaker
from cms.facilities.models import FacilityIndexPage, FacilityRoom
from cms.groups.models import GroupIndexPage
from tests.factories import (
    ActivityPageFactory,
    AreaFactory,
    FacilityPageFactory,
    GroupPageFactory,
)
from tests.matching.factories import OpportunityPageFactory, SkillFactory
from tests.search.found import titles

pytestmark = pytest.mark.django_db


def test_published_page_is_found_and_edits_are_found():
    index = ActivityIndexPage.objects.get(slug="activities")
    page = ActivityPageFactory(
        parent=index, title="ボッチャ体験会", summary="誰でも楽しめるスポーツ"
    )
    assert "ボッチャ体験会" in titles("ボッチャ")
    page.summary = "パラスポーツを体験します"
    page.save_revision().publish()
    assert "ボッチャ体験会" in titles("パラスポーツ")


def test_unpublished_page_is_not_found():
    page = ActivityPage.objects.get(slug="iroha-2-bousai")
    page.unpublish()
    assert "協働による防災まちづくり 公助の責任・行政の課題" not in titles("防災")


def test_moved_page_is_found_at_its_new_address(client):
    page = ActivityPage.objects.get(slug="iroha-2-bousai")
    page.move(ActivityIndexPage.objects.get(slug="activities"), pos="last-child")
    html = client.get("/search/", {"query": "防災"}).content.decode()
    assert 'href="/activities/iroha-2-bousai/"' in html


def test_deleted_page_leaves_the_index():
    page = ActivityPage.objects.get(slug="iroha-2-bousai")
    pk = page.pk
    page.delete()
    assert not IndexEntry.objects.filter(object_id=str(pk)).exists()
    assert "協働による防災まちづくり 公助の責任・行政の課題" not in titles("防災")


def test_update_index_rebuilds_from_nothing():
    IndexEntry.objects.all().delete()
    assert titles("防災") == []
    call_command("update_index", verbosity=0)
    assert "協働による防災まちづくり 公助の責任・行政の課題" in titles("防災")


# --- Pages follow what they show (search.index: RelatedFields) ---------------
# Changes are committed as an editor's request commits them; the pages that
# show the changed thing are re-indexed then.


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_renaming_an_area_finds_its_pages_by_the_new_name_only(committed):
    area = AreaFactory(name="桜台", slug="sakuradai-test")
    GroupPageFactory(parent=GroupIndexPage.objects.get(), title="花の会", area=area)
    facility = FacilityPageFactory(
        parent=FacilityIndexPage.objects.get(), title="桜会館", area=area
    )
    ActivityPageFactory(
        parent=ActivityIndexPage.objects.get(slug="activities"), title="花見の会", venue=facility
    )
    assert {"花の会", "桜会館", "花見の会"} <= set(titles("桜台"))
    with committed():
        area.name = "若葉台"
        area.save()
    assert {"花の会", "桜会館", "花見の会"} <= set(titles("若葉台"))
    assert not {"花の会", "桜会館", "花見の会"} & set(titles("桜台"))


def test_a_deleted_area_no_longer_finds_its_group(committed):
    area = AreaFactory(name="桜台", slug="sakuradai-test")
    GroupPageFactory(parent=GroupIndexPage.objects.get(), title="花の会", area=area)
    with committed():
        area.delete()
    assert "花の会" not in titles("桜台")


def test_a_skills_new_alias_finds_the_opportunity_and_the_old_one_does_not(committed):
    skill = SkillFactory(name="翻訳", slug="translation-test", aliases="通訳")
    group = GroupPageFactory(parent=GroupIndexPage.objects.get(), title="多文化の会")
    with committed():
        OpportunityPageFactory(parent=group, title="窓口の手伝い", skills=[skill])
    assert "窓口の手伝い" in titles("通訳")
    with committed():
        skill.aliases = "外国語"
        skill.save()
    assert "窓口の手伝い" in titles("外国語")
    assert "窓口の手伝い" not in titles("通訳")


def test_renaming_a_speaker_or_a_room_and_publishing_updates_the_page(committed):
    lecture = ActivityPageFactory(parent=ActivityIndexPage.objects.get(slug="activities"))
    lecture.speakers = [ActivitySpeaker(role="lecturer", name="山辺花子")]
    facility = FacilityPageFactory(parent=FacilityIndexPage.objects.get(), title="桜会館")
    facility.rooms = [FacilityRoom(name="和室")]
    with committed():
        lecture.save_revision().publish()
        facility.save_revision().publish()
    assert lecture.title in titles("山辺花子")
    assert "桜会館" in titles("和室")
    with committed():
        lecture.speakers = [ActivitySpeaker(role="lecturer", name="川村太郎")]
        lecture.save_revision().publish()
        facility.rooms = [FacilityRoom(name="多目的ホール")]
        facility.save_revision().publish()
    assert lecture.title in titles("川村太郎")
    assert lecture.title not in titles("山辺花子")
    assert "桜会館" in titles("多目的ホール")
    assert "桜会館" not in titles("和室")


def test_renaming_a_venue_finds_its_activities_by_the_new_name(committed):
    facility = FacilityPageFactory(parent=FacilityIndexPage.objects.get(), title="桜会館")
    activity = ActivityPageFactory(
        parent=ActivityIndexPage.objects.get(slug="activities"), title="花見の会", venue=facility
    )
    with committed():
        facility.title = "若葉会館"
        facility.save_revision().publish()
    assert activity.title in titles("若葉会館")
    assert activity.title not in titles("桜会館")


def test_unpublishing_an_activity_takes_it_off_its_groups_index(committed):
    group = GroupPageFactory(parent=GroupIndexPage.objects.get(), title="緑のまち研究会")
    with committed():
        activity = ActivityPageFactory(
            parent=ActivityIndexPage.objects.get(slug="activities"), title="雨水タンク見学会"
        )
        activity.participations.create(group=group)
        activity.save_revision().publish()
    assert "緑のまち研究会" in titles("雨水タンク")
    with committed():
        activity.unpublish()
    assert "緑のまち研究会" not in titles("雨水タンク")


def test_renaming_a_group_finds_its_opportunities_by_the_new_name(committed):
    group = GroupPageFactory(parent=GroupIndexPage.objects.get(), title="多文化の会")
    OpportunityPageFactory(parent=group, title="窓口の手伝い")
    with committed():
        group.title = "国際交流の会"
        group.save_revision().publish()
    assert "窓口の手伝い" in titles("国際交流の会")
