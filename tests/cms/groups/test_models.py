import pytest

from cms.groups.models import GroupPage

pytestmark = pytest.mark.django_db


def test_group_lists_the_activities_it_took_part_in(client):
    group = GroupPage.objects.get(slug="tokotoko")
    assert [a.slug for a in group.activities()] == ["kosodate-cafe-3"]
    html = client.get(group.url).content.decode()
    assert "第3回 つながる子育てカフェ in 武蔵野" in html


def test_unpublished_activity_disappears_from_the_group(client):
    group = GroupPage.objects.get(slug="tokotoko")
    group.participations.first().page.unpublish()
    assert list(group.activities()) == []


def test_group_index_filters_by_field(client):
    html = client.get("/groups/?field=childcare").content.decode()
    assert "ママの羽" in html
    assert "武蔵野市NPO・市民活動ネットワーク" not in html
    assert client.get("/groups/?field=unknown&area=%00").status_code == 200
