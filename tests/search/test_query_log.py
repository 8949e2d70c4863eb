"""What the site keeps of visitors' searches, and erasing it with a resident."""

import datetime
import io
import re

import pytest

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.utils import timezone

from wagtail.contrib.search_promotions.models import Query, QueryDailyHits, SearchPromotion
from wagtail.models import Page

from search.models import PopularSearchTerm, QuerySearcher
from search.query_log import client_digest, forget_mentions, purge_old_queries
from search.tasks import purge_search_queries

pytestmark = pytest.mark.django_db


def searched(*query_strings):
    for query_string in query_strings:
        Query.get(query_string).add_hit()


def stored():
    return set(Query.objects.values_list("query_string", flat=True))


def test_erasing_a_resident_forgets_the_searches_that_name_them():
    searched(
        "山田 太郎",
        "山田太郎 連絡先",
        "taro.yamada@example.jp",
        "090-1234-5678",
        "09012345678 山田",
        "子育て",
    )
    forgotten = forget_mentions(["山田 太郎", "Taro.Yamada@Example.JP", "090-1234-5678"])
    assert forgotten == 5
    assert stored() == {"子育て"}
    assert not QueryDailyHits.objects.exclude(query__query_string="子育て").exists()


def test_full_width_and_upper_case_spellings_are_forgotten_too():
    searched("yamada@example.jp", "防災")
    assert forget_mentions(["ＹＡＭＡＤＡ＠ｅｘａｍｐｌｅ．ｊｐ"]) == 1
    assert stored() == {"防災"}


def test_empty_values_forget_nothing():
    searched("子育て", "防災")
    assert forget_mentions(["", "  ", None]) == 0
    assert stored() == {"子育て", "防災"}


def test_a_promoted_query_keeps_its_promotion_but_loses_its_hits():
    searched("山田記念ホール")
    query = Query.objects.get(query_string="山田記念ホール")
    SearchPromotion.objects.create(query=query, page=Page.objects.get(depth=2), sort_order=0)
    assert forget_mentions(["山田"]) == 1
    assert query.editors_picks.exists()
    assert not query.daily_hits.exists()


def search_from(client, address, query):
    response = client.get("/search/", {"query": query}, REMOTE_ADDR=address)
    assert response.status_code == 200


def shown_as_popular(client):
    html = client.get("/search/").content.decode()
    if 'id="popular-heading"' not in html:
        return []
    section = html.split('id="popular-heading"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="\?query=[^"]*">([^<]*)</a>', section)


def test_one_visitor_repeating_a_query_does_not_make_it_popular(client):
    for _ in range(5):
        search_from(client, "198.51.100.7", "防災")
    assert shown_as_popular(client) == []
    assert Query.objects.get(query_string="防災").hits == 5  # still counted for editors


def test_a_query_that_found_pages_for_three_clients_is_popular(client):
    for address in ("198.51.100.7", "198.51.100.8", "2001:db8::1"):
        search_from(client, address, "防災")
    assert shown_as_popular(client) == ["防災"]


def test_an_ipv6_household_counts_once(client):
    for address in ("198.51.100.7", "2001:db8::1", "2001:db8::2"):
        search_from(client, address, "防災")
    assert shown_as_popular(client) == []


@override_settings(SEARCH_POPULAR_MIN_CLIENTS=2)
def test_the_number_of_clients_is_a_setting(client):
    for address in ("198.51.100.7", "198.51.100.8"):
        search_from(client, address, "防災")
    assert shown_as_popular(client) == ["防災"]


def test_a_query_that_found_nothing_is_not_popular(client):
    for address in ("198.51.100.7", "198.51.100.8", "198.51.100.9"):
        search_from(client, address, "ぴよぴよぷー")
    assert shown_as_popular(client) == []


@pytest.mark.parametrize(
    "query",
    [
        "詐欺注意 0120-123-456へ電話を",
        "防災 ０９０ー１２３４ー５６７８",
        "防災 0422 51 5131 まで",
        "防災 taro@example.jp",
        "防災 https://example.com/x",
        "防災 www.example.jp",
        "防災 example.com",
    ],
)
def test_contact_data_is_neither_stored_nor_shown(client, query):
    for address in ("198.51.100.7", "198.51.100.8", "198.51.100.9"):
        search_from(client, address, query)
    assert shown_as_popular(client) == []
    assert not Query.objects.exists()


def test_long_queries_are_not_stored(client):
    search_from(client, "198.51.100.7", "防災" * 26)
    assert not Query.objects.exists()


def test_the_client_is_kept_as_a_daily_digest_not_its_address(client):
    search_from(client, "198.51.100.7", "防災")
    searcher = QuerySearcher.objects.get()
    assert "198.51.100.7" not in searcher.client
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")
    today = timezone.localdate()
    assert searcher.client == client_digest(request, today)
    assert client_digest(request, today - datetime.timedelta(days=1)) != searcher.client


def test_editors_list_replaces_the_computed_one(client):
    for address in ("198.51.100.7", "198.51.100.8", "198.51.100.9"):
        search_from(client, address, "防災")
    PopularSearchTerm.objects.create(query="ごみ出し", sort_order=2)
    PopularSearchTerm.objects.create(query="子育て", sort_order=1)
    assert shown_as_popular(client) == ["子育て", "ごみ出し"]


def test_editors_keep_the_list_in_the_admin(client, django_user_model):
    editor = django_user_model.objects.create_user("henshu", password="x")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.post(
        "/admin/snippets/search/popularsearchterm/add/", {"query": "防災訓練", "sort_order": 0}
    )
    assert response.status_code == 302
    assert list(PopularSearchTerm.objects.values_list("query", flat=True)) == ["防災訓練"]


def searched_on(query_string, day, clients=("a",)):
    query = Query.get(query_string)
    query.add_hit(date=day)
    for client_id in clients:
        QuerySearcher.objects.create(query=query, date=day, client=client_id)
    return query


@override_settings(SEARCH_QUERY_RETENTION_DAYS=90)
def test_queries_older_than_the_retention_period_are_purged():
    today = datetime.date(2026, 12, 1)
    searched_on("古い", today - datetime.timedelta(days=91))
    recent = searched_on("新しい", today - datetime.timedelta(days=90))
    both = searched_on("両方", today - datetime.timedelta(days=200))
    both.add_hit(date=today)
    promoted = searched_on("おすすめ", today - datetime.timedelta(days=300))
    SearchPromotion.objects.create(query=promoted, page=Page.objects.get(depth=2), sort_order=0)
    Query.objects.create(query_string="詐欺注意 0120-123-456へ電話を").add_hit(date=today)

    deleted = purge_old_queries(today=today)

    assert stored() == {"新しい", "両方", "おすすめ"}
    assert deleted == {"daily_hits": 3, "searchers": 3, "queries": 2}
    assert recent.searchers.count() == 1
    assert not both.searchers.exists() and both.daily_hits.count() == 1
    assert not promoted.daily_hits.exists()


def test_the_purge_runs_daily_and_by_command():
    searched_on("古い", timezone.localdate() - datetime.timedelta(days=400))
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-search-queries"]
    assert schedule["schedule"] <= 24 * 60 * 60
    assert schedule["task"] == purge_search_queries.name
    purge_search_queries.delay()
    assert stored() == set()
    searched_on("古い", timezone.localdate() - datetime.timedelta(days=400))
    call_command("purge_search_queries", stdout=io.StringIO())
    assert stored() == set()


def test_erasure_also_removes_who_searched():
    searched_on("山田 太郎", timezone.localdate(), clients=("a", "b"))
    forget_mentions(["山田太郎"])
    assert not QuerySearcher.objects.exists()
