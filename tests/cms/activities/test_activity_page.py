import pytest

from cms.activities.models import ActivityPage

pytestmark = pytest.mark.django_db


def test_lecture_shows_series_number_speakers_and_roles(client):
    page = ActivityPage.objects.get(slug="iroha-2-bousai")
    html = client.get(page.url).content.decode()
    assert "協働いろはのい講座 第2回" in html
    assert "講師" in html and "中村八郎" in html
    assert "平成24年(2012年)9月26日(水) 午後6時30分から8時30分まで" in html
    assert "終了しました" in html


def test_study_session_lists_reporters_and_commentators(client):
    page = ActivityPage.objects.get(slug="community-commisen-npo")
    html = client.get(page.url).content.decode()
    for name in ("北崎圭太", "清水幸子", "笹野章嘉", "塩澤誠一郎"):
        assert name in html
    assert "報告者" in html and "コメンテーター" in html


def test_cafe_links_its_nineteen_groups(client):
    page = ActivityPage.objects.get(slug="kosodate-cafe-3")
    assert page.participations.count() == 19
    html = client.get(page.url).content.decode()
    assert "保育サービスひまわりママ" in html
    assert "千川おひさま幼児教室・千川さくらっこクラブ" in html
