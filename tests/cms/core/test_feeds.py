"""新着情報: the what's-new feeds (/feeds/news.rss, .atom) and the home page list."""

import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest

from wagtail.models import PageViewRestriction

from tests.factories import (
    GroupIndexPageFactory,
    GroupPageFactory,
    StandardPageFactory,
)

ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = pytest.mark.django_db


def publish(factory, **kwargs):
    page = factory(**kwargs)
    page.save_revision().publish()
    return page


def rss(client):
    response = client.get("/feeds/news.rss")
    assert response.status_code == 200
    return ET.fromstring(response.content).findall("channel/item")


def test_newly_published_pages_of_any_kind_come_first(client, home):
    groups = GroupIndexPageFactory(parent=home, slug="test-groups")
    group = publish(GroupPageFactory, parent=groups, title="新しい団体", slug="new-group")
    page = publish(StandardPageFactory, parent=home, title="新しいお知らせ", slug="notice")

    items = rss(client)

    assert [item.findtext("title") for item in items[:2]] == ["新しいお知らせ", "新しい団体"]
    assert items[0].findtext("link") == f"http://testserver{page.url}"
    assert items[1].findtext("description") == group.summary
    dates = [parsedate_to_datetime(item.findtext("pubDate")) for item in items]
    assert dates == sorted(dates, reverse=True)
    assert len(items) == 20


def test_an_update_brings_an_old_page_back_to_the_top(client, home):
    publish(StandardPageFactory, parent=home, title="先のお知らせ", slug="first")
    older = publish(StandardPageFactory, parent=home, title="古いお知らせ", slug="older")
    publish(StandardPageFactory, parent=home, title="新しいお知らせ", slug="newer")
    older.title = "古いお知らせ(更新)"
    older.save_revision().publish()
    assert rss(client)[0].findtext("title") == "古いお知らせ(更新)"


def test_index_pages_and_private_pages_are_left_out(client, home):
    private = publish(StandardPageFactory, parent=home, title="関係者向けページ", slug="private")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    publish(GroupIndexPageFactory, parent=home, title="団体一覧(新設)", slug="new-groups")
    titles = [item.findtext("title") for item in rss(client)]
    assert "関係者向けページ" not in titles
    assert "団体一覧(新設)" not in titles


def test_pages_outside_the_site_are_left_out(client, home):
    from wagtail.models import Page

    root = Page.get_first_root_node()
    publish(StandardPageFactory, parent=root, title="どのサイトにも属さないページ", slug="orphan")
    titles = [item.findtext("title") for item in rss(client)]
    assert "どのサイトにも属さないページ" not in titles
    assert client.get("/feeds/activities.atom").status_code == 200


def test_atom_feed_escapes_titles_and_serves_pages_without_a_summary(client, home):
    publish(StandardPageFactory, parent=home, title="<i>市民</i> & 行政", slug="escaped")
    response = client.get("/feeds/news.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    entry = ET.fromstring(response.content).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "<i>市民</i> & 行政"
    assert entry.findtext(f"{ATOM}summary") in ("", None)


def test_home_page_lists_the_latest_updates_with_japanese_dates(client, home):
    page = publish(StandardPageFactory, parent=home, title="新しいお知らせ", slug="notice")
    page.refresh_from_db()
    html = client.get("/").content.decode()
    updates = html.split('id="updates-heading"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="{page.url}">新しいお知らせ</a>' in updates
    assert updates.count("<li>") == 5
    assert "令和" in updates
    assert 'href="/feeds/news.rss"' in updates


def test_every_page_announces_the_news_feeds(client):
    head = client.get("/groups/").content.decode().split("</head>", 1)[0]
    assert 'rel="alternate" type="application/rss+xml"' in head
    assert 'href="/feeds/news.rss"' in head and 'href="/feeds/news.atom"' in head
