import pytest

pytestmark = pytest.mark.django_db


def test_equipment_filter_lists_facilities_with_an_online_meeting_kit(client):
    html = client.get("/facilities/?equipment=has_online_meeting_kit").content.decode()
    assert "武蔵野プレイス" in html and "緑町コミュニティセンター" in html
    assert "武蔵野市民会館" not in html


def test_area_filter(client):
    html = client.get("/facilities/?area=sakai").content.decode()
    assert "武蔵野市民会館" in html and "武蔵野プレイス" not in html


@pytest.mark.parametrize("query", ["equipment=rooms__name", "area=%00", "equipment=__class__"])
def test_bad_filters_are_reported_not_a_server_error(client, query):
    response = client.get(f"/facilities/?{query}")
    assert response.status_code == 200
    assert 'class="form-error"' in response.content.decode()


def test_facility_page_lists_rooms_with_equipment_and_upcoming_activities_first(client):
    html = client.get("/facilities/musashino-place/").content.decode()
    assert "スペースC(会議室)" in html and "オンライン会議用機材" in html
    upcoming = html.index("つながる子育てカフェ in 武蔵野 おしゃべり会")
    assert upcoming < html.index("団体のためのSNS発信講座")
