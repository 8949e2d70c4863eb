"""The index follows what editors do: publish, unpublish, move, delete, rebuild."""

import pytest

from django.core.management import call_command

from wagtail.models import Page
from wagtail.search.models import IndexEntry

from cms.activities.models import ActivityIndexPage, ActivityPage
from tests.factories import ActivityPageFactory

pytestmark = pytest.mark.django_db


def titles(query):
    return [page.title for page in Page.objects.live().search(query)]


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
