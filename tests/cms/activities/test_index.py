import datetime
import re

import pytest

from cms.activities.models import ActivityIndexPage
from tests.factories import ActivityPageFactory

pytestmark = pytest.mark.django_db


def test_index_lists_upcoming_before_past(client):
    index = ActivityIndexPage.objects.get(slug="activities")
    soon = datetime.date.today() + datetime.timedelta(days=3)
    ActivityPageFactory(parent=index, title="来週の体験会", start_date=soon)
    html = client.get("/activities/").content.decode()
    past = html.index('id="past-heading"')
    assert html.index('id="upcoming-heading"') < html.index("来週の体験会") < past
    assert html.index("第3回 つながる子育てカフェ in 武蔵野") > past


def test_filter_by_fiscal_year_kind_and_field(client):
    html = client.get("/activities/?fy=2012&kind=cafe&field=childcare").content.decode()
    for number in (1, 2, 3):
        assert f"第{number}回 つながる子育てカフェ in 武蔵野" in html
    assert "協働による防災まちづくり 公助の責任・行政の課題" not in html
    assert "つながる子育てカフェ in 武蔵野 おしゃべり会" not in html


def test_lecture_filter_in_fiscal_2012(client):
    html = client.get("/activities/?fy=2012&kind=lecture").content.decode()
    assert "協働による防災まちづくり 公助の責任・行政の課題" in html
    assert "第1回 つながる子育てカフェ in 武蔵野" not in html


@pytest.mark.parametrize(
    "query",
    ["fy=abc", "kind=<script>", "field=nope", "page=999", "page=-1", "fy=99999999999999999999"],
)
def test_bad_filter_values_are_reported_not_a_server_error(client, query):
    response = client.get(f"/activities/?{query}")
    assert response.status_code == 200


def test_bad_fiscal_year_is_explained_beside_the_field(client):
    html = client.get("/activities/?fy=abc").content.decode()
    assert 'class="form-error"' in html


def sections(html):
    """{series heading: the html up to the next h2} of a series listing."""
    parts = re.split(r"<h2 id=\"series-\d+\">", html)[1:]
    return {part.split("</h2>", 1)[0]: part for part in parts}


def test_seed_year_page_groups_activities_under_their_series(client):
    html = client.get("/activities/h24-shimin-kyodo/").content.decode()
    by_series = sections(html)
    assert "平成24年6月、9月、12月の年3回実施予定。" in by_series["協働いろはのい講座"]
    for title in [
        "協働の新たなステージへ向けて 神奈川の取り組みに学ぶ",
        "協働による防災まちづくり 公助の責任・行政の課題",
        "武蔵野市市民活動促進基本計画を読む",
    ]:
        assert title in by_series["協働いろはのい講座"]
        assert title not in by_series["市民活動をはじめたい きっかけ・人脈づくり懇話会"]
    assert (
        "第2回 つながる子育てカフェ in 武蔵野"
        in by_series["市民活動をはじめたい きっかけ・人脈づくり懇話会"]
    )


def test_any_query_string_keeps_the_series_layout(client):
    html = client.get("/activities/h24-shimin-kyodo/?fbclid=abc").content.decode()
    assert 'id="series-1"' in html
