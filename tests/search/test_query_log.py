"""What the site keeps of visitors' searches, and erasing it with a resident."""

import pytest

from wagtail.contrib.search_promotions.models import Query, QueryDailyHits, SearchPromotion
from wagtail.models import Page

from search.query_log import forget_mentions

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
