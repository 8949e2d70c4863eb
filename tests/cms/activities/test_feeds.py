"""The RSS and Atom feeds of activities (/feeds/activities.rss, .atom)."""

import datetime
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest

from tests.factories import ActivityPageFactory

ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = pytest.mark.django_db


def rss_items(client):
    response = client.get("/feeds/activities.rss")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    return ET.fromstring(response.content).findall("channel/item")


def publish(**kwargs):
    page = ActivityPageFactory(**kwargs)
    page.save_revision().publish()
    return page


def test_newly_published_activity_is_first_with_its_date_and_link(client, index):
    page = publish(
        parent=index,
        title="防災まちづくり講座",
        summary="地域の防災を考えます。",
        start_date=datetime.date(2026, 12, 5),
    )
    items = rss_items(client)
    first = items[0]
    assert first.findtext("title") == "防災まちづくり講座"
    assert first.findtext("link") == f"http://testserver{page.url}"
    description = first.findtext("description")
    assert "地域の防災を考えます。" in description
    assert "日時:令和8年(2026年)12月5日(土) 午後1時30分から4時まで" in description
    dates = [parsedate_to_datetime(item.findtext("pubDate")) for item in items]
    assert dates == sorted(dates, reverse=True)


def test_title_and_summary_are_escaped_and_read_back_as_written(client, index):
    publish(parent=index, title="<b>子育て</b> & 防災", summary="<script>alert(1)</script>")
    first = rss_items(client)[0]
    assert first.findtext("title") == "<b>子育て</b> & 防災"
    # The description is HTML: the summary's markup arrives as text, not as tags.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in first.findtext("description")


def test_activity_without_a_summary_is_served(client, index):
    publish(parent=index, title="概要のない講座", summary="")
    assert rss_items(client)[0].findtext("title") == "概要のない講座"


def test_atom_feed_lists_the_same_activities_newest_first(client, index):
    older = publish(parent=index, title="先に公開した講座", slug="older")
    newer = publish(parent=index, title="後から公開した講座", slug="newer")
    response = client.get("/feeds/activities.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles[:2] == [newer.title, older.title]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{newer.url}"


def test_activity_index_announces_and_shows_the_feeds(client, index):
    head, body = client.get(index.url).content.decode().split("</head>", 1)
    assert 'title="講座・イベント (RSS)" href="/feeds/activities.rss"' in head
    assert 'href="/feeds/activities.rss"' in body and 'href="/feeds/activities.atom"' in body
