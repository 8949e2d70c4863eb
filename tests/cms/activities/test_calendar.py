"""The calendar of activities by month (<index>/calendar/)."""

import datetime
import re

import pytest

from django.utils import timezone

from cms.core import wareki
from tests.factories import ActivityPageFactory

pytestmark = pytest.mark.django_db


def day_sections(html):
    """{day heading: the html of that day's list} in page order."""
    parts = re.split(r'<h2 id="day-\d+">', html)[1:]
    return {
        re.sub(r"<[^>]+>", "", part.split("</h2>", 1)[0]): part.split("</section>", 1)[0]
        for part in parts
    }


def test_month_lists_its_activities_under_their_day(client, index):
    ActivityPageFactory(
        parent=index,
        title="12月の防災講座",
        slug="bousai",
        start_date=datetime.date(2026, 12, 5),
        venue_text="市役所 西棟会議室",
    )
    cafe = ActivityPageFactory(
        parent=index,
        title="12月の子育てカフェ",
        slug="cafe",
        kind="cafe",
        start_date=datetime.date(2026, 12, 19),
    )
    ActivityPageFactory(
        parent=index, title="1月の講座", slug="january", start_date=datetime.date(2027, 1, 9)
    )

    response = client.get(f"{index.url}calendar/2026/12/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "令和8年(2026年)12月" in html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    days = day_sections(html)
    assert list(days) == ["12月5日(土)", "12月19日(土)"]
    assert "12月の防災講座" in days["12月5日(土)"]
    assert "午後1時30分から4時まで" in days["12月5日(土)"]
    assert "<dd>講座</dd>" in days["12月5日(土)"]
    assert "市役所 西棟会議室" in days["12月5日(土)"]
    assert f'<a href="{cafe.url}">12月の子育てカフェ</a>' in days["12月19日(土)"]
    assert "1月の講座" not in html


def test_headings_run_from_the_month_to_days_to_activities(client, index):
    ActivityPageFactory(parent=index, start_date=datetime.date(2026, 12, 5))
    html = client.get(f"{index.url}calendar/2026/12/").content.decode()
    main = html.split('<main id="main"', 1)[1]
    levels = re.findall(r"<h([1-3])\b", main)
    assert levels[:3] == ["1", "2", "3"]
    assert levels.count("1") == 1


def test_multi_day_activity_shows_in_every_month_it_touches(client, index):
    ActivityPageFactory(
        parent=index,
        title="年末年始の作品展",
        start_date=datetime.date(2026, 12, 26),
        end_date=datetime.date(2027, 1, 6),
        start_time=datetime.time(10, 0),
        end_time=datetime.time(17, 0),
    )
    december = day_sections(client.get(f"{index.url}calendar/2026/12/").content.decode())
    january = day_sections(client.get(f"{index.url}calendar/2027/1/").content.decode())
    assert "年末年始の作品展" in december["12月26日(土)"]
    # In January it is listed on the 1st, with its whole span.
    assert "年末年始の作品展" in january["1月1日(金)"]
    assert "令和8年(2026年)12月26日(土) 午前10時から" in january["1月1日(金)"]


def test_previous_and_next_month_links(client, index):
    html = client.get(f"{index.url}calendar/2027/1/").content.decode()
    assert f'href="{index.url}calendar/2026/12/" rel="prev"' in html
    assert f'href="{index.url}calendar/2027/2/" rel="next"' in html


def test_no_links_beyond_the_years_served(client, index):
    first = client.get(f"{index.url}calendar/2000/1/").content.decode()
    last = client.get(f"{index.url}calendar/2100/12/").content.decode()
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_calendar_opens_on_the_current_month_in_japan(client, index):
    today = timezone.localdate()
    ActivityPageFactory(parent=index, title="今月の講座", start_date=today)
    html = client.get(f"{index.url}calendar/").content.decode()
    assert wareki.format_month(today.year, today.month) in html.split("<h1>", 1)[1]
    assert "今月の講座" in day_sections(html)[wareki.format_month_day(today)]


def test_ended_activity_is_marked(client, index):
    ActivityPageFactory(parent=index, title="終わった講座", start_date=datetime.date(2024, 1, 4))
    days = day_sections(client.get(f"{index.url}calendar/2024/1/").content.decode())
    assert "終了しました" in days["1月4日(木)"]


def test_empty_month_says_so(client, index):
    html = client.get(f"{index.url}calendar/2031/2/").content.decode()
    assert day_sections(html) == {}
    assert 'class="calendar-empty"' in html


def test_empty_month_points_to_the_next_month_with_activities(client, index):
    ActivityPageFactory(parent=index, title="夏の講座", start_date=datetime.date(2031, 7, 4))
    html = client.get(f"{index.url}calendar/2031/2/").content.decode()
    assert f'href="{index.url}calendar/2031/7/"' in html
    assert "令和13年(2031年)7月" in html


@pytest.mark.parametrize(
    "path",
    [
        "calendar/2026/13/",
        "calendar/2026/0/",
        "calendar/1999/12/",
        "calendar/2101/1/",
        "calendar/99999999999999999999/1/",
        "calendar/2026/abc/",
        "calendar/abc/",
        "calendar/2026/",
    ],
)
def test_months_that_do_not_exist_are_not_found(client, index, path):
    assert client.get(f"{index.url}{path}").status_code == 404


def test_calendar_keeps_the_page_furniture(client, index):
    html = client.get(f"{index.url}calendar/2026/12/").content.decode()
    assert f"ページ番号 {index.page_number}" in html
    assert "更新日" in html
    assert "このページに関するお問い合わせ" in html
    assert "このページの情報は役に立ちましたか" in html
    crumbs = html.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert f'<a href="{index.url}">{index.title}</a>' in crumbs
    assert '<li aria-current="page">令和8年(2026年)12月</li>' in crumbs


def test_activity_index_links_to_the_calendar(client, index):
    html = client.get(index.url).content.decode()
    assert f'href="{index.url}calendar/"' in html


def test_calendar_of_the_demo_index_includes_activities_of_its_sub_indexes(client):
    html = client.get("/activities/calendar/2012/9/").content.decode()
    assert "協働による防災まちづくり 公助の責任・行政の課題" in day_sections(html)["9月26日(水)"]
