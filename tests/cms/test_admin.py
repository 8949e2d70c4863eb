"""Editors can open every editing screen the content model gives them."""

import pytest

from wagtail.models import Page

from tests.cms.page_types import NEW_ACTIVITY, PAGE_TYPES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model_name", PAGE_TYPES)
def test_edit_view_of_every_page_type_opens(admin_client_ja, model_name, request):
    if model_name == "opportunitypage":
        request.getfixturevalue("civic_data")
    page = Page.objects.filter(content_type__model=model_name).first()
    response = admin_client_ja.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "app_model, parent_slug",
    [
        ("activities/activitypage", "activities"),
        ("groups/grouppage", "groups"),
        ("facilities/facilitypage", "facilities"),
        ("newsletters/newsletterissuepage", "link"),
    ],
)
def test_add_view_opens_under_the_allowed_parent(admin_client_ja, app_model, parent_slug):
    parent = Page.objects.get(slug=parent_slug)
    response = admin_client_ja.get(f"/admin/pages/add/{app_model}/{parent.pk}/")
    assert response.status_code == 200


def test_editor_creates_and_publishes_an_activity_in_the_admin(admin_client_ja, client):
    from cms.activities.models import ActivityPage

    parent = Page.objects.get(slug="activities")
    data = {**NEW_ACTIVITY, "action-publish": "publish"}
    response = admin_client_ja.post(f"/admin/pages/add/activities/activitypage/{parent.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = ActivityPage.objects.get(slug="bousai-machiaruki")
    assert page.live
    html = client.get(page.url).content.decode()
    assert "令和9年(2027年)4月10日(土) 午前10時から正午まで" in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/snippets/core/fieldofactivity/",
        "/admin/snippets/core/area/",
        "/admin/snippets/core/contactpoint/",
        "/admin/snippets/activities/activityseries/",
        "/admin/snippets/plan/basicplan/",
        "/admin/snippets/plan/measure/",
        "/admin/snippets/plan/action/",
        "/admin/page_feedback/",
    ],
)
def test_snippet_listings_open(admin_client_ja, url):
    assert admin_client_ja.get(url).status_code == 200


@pytest.mark.parametrize(
    "url, query, expected",
    [
        ("/admin/snippets/core/area/", "緑町", "緑町"),
        ("/admin/snippets/core/contactpoint/", "市民活動推進課", "市民活動推進課"),
        ("/admin/snippets/core/fieldofactivity/", "子育て", "子育て"),
        ("/admin/snippets/activities/activityseries/", "協働いろはのい講座", "協働いろはのい講座"),
        ("/admin/snippets/plan/basicplan/", "第二期", "第二期"),
        ("/admin/snippets/plan/measure/", "情報", "情報"),
        ("/admin/page_feedback/", "地図", ""),
    ],
)
def test_admin_search_on_every_listing_returns_a_page(admin_client_ja, url, query, expected):
    response = admin_client_ja.get(url, {"q": query})
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_site_settings_open(admin_client_ja):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    assert admin_client_ja.get(f"/admin/settings/core/sitesettings/{site.pk}/").status_code == 200


def test_admin_page_search_returns_a_page(admin_client_ja):
    response = admin_client_ja.get("/admin/pages/search/", {"q": "武蔵野プレイス"})
    assert response.status_code == 200
    assert "武蔵野プレイス" in response.content.decode()
