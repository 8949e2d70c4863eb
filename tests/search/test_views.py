"""The site search page as residents use it."""

import re

import pytest

from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page

pytestmark = pytest.mark.django_db


def get(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def result_titles(html):
    return re.findall(r'class="search-result__title"><a href="[^"]*">([^<]*)</a>', html)


def test_results_show_kind_date_and_an_excerpt_with_the_match_marked(client):
    html = get(client, query="ｶﾌｪ")
    first = html.split('class="search-result"', 2)[1]
    assert "<mark>カフェ</mark>" in first
    assert 'class="tag">講座・イベント<' in first
    assert "午後1時から4時まで" in html


def test_excerpt_marks_the_spelling_on_the_page(client):
    html = get(client, query="繋がる")
    assert "<mark>つながる</mark>" in html


@pytest.mark.parametrize(
    "params, present, absent",
    [
        ({"query": "カフェ", "type": "group"}, "ママの羽", "第3回 つながる子育てカフェ in 武蔵野"),
        (
            {"query": "カフェ", "type": "activity"},
            "第3回 つながる子育てカフェ in 武蔵野",
            "ママの羽",
        ),
        (
            {"query": "協働", "kind": "lecture", "fy": "2012"},
            "協働による防災まちづくり 公助の責任・行政の課題",
            "メッセージ de メッセ",
        ),
        (
            {"query": "子育て", "field": "childcare", "type": "activity"},
            "第1回 つながる子育てカフェ in 武蔵野",
            "ママの羽",
        ),
        (
            {"query": "オンライン", "area": "midoricho"},
            "緑町コミュニティセンター",
            "武蔵野プレイス",
        ),
        (
            {"query": "協働", "when": "past"},
            "協働による防災まちづくり 公助の責任・行政の課題",
            "市民活動団体 協働事業報告会・交流会",
        ),
        (
            {"query": "協働", "when": "upcoming"},
            "市民活動団体 協働事業報告会・交流会",
            "協働による防災まちづくり 公助の責任・行政の課題",
        ),
    ],
)
def test_filters(client, params, present, absent):
    titles = result_titles(get(client, **params))
    assert present in titles
    assert absent not in titles


def test_filters_alone_list_pages_without_a_query(client):
    titles = result_titles(get(client, type="facility"))
    assert "武蔵野プレイス" in titles and len(titles) == 4


def test_results_are_paginated(client):
    first = result_titles(get(client, query="協働"))
    second = result_titles(get(client, query="協働", page="2"))
    assert len(first) == 10 and second and not set(first) & set(second)


def test_zero_results_suggest_words_the_site_uses(client):
    # One word, in kana, that no page holds: the words whose readings it holds.
    html = get(client, query="こそだてさろん")
    assert "該当するページはありませんでした" in html
    suggestions = html.split('class="suggestions"', 1)[1].split("</ul>", 1)[0]
    assert "子育て" in suggestions


def test_editors_promoted_result_comes_first(client):
    page = Page.objects.get(slug="musashino-place")
    SearchPromotion.objects.create(
        query=Query.get("カフェ"), page=page, description="ワークラウンジでカフェを開けます"
    )
    html = get(client, query="ｶﾌｪ")
    assert html.index("ワークラウンジでカフェを開けます") < html.index('class="search-result"')


def test_queries_are_recorded_for_editors(client):
    get(client, query="防災")
    get(client, query="防災")
    get(client, query="防災", page="2")  # paging is not a new search
    assert Query.get("防災").hits == 2
    # Listed publicly once different visitors searched it (search.query_log).
    client.get("/search/", {"query": "防災"}, REMOTE_ADDR="198.51.100.8")
    client.get("/search/", {"query": "防災"}, REMOTE_ADDR="198.51.100.9")
    html = get(client)
    assert "よく検索されている言葉" in html and "防災" in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "あ" * 2000,
        "\x00\x01\x1f子育て\x7f",
        "'; DROP TABLE wagtailcore_page; --",
        '"子育て',
        "子育て*",
        "NEAR(子育て カフェ)",
        "子育て AND OR NOT",
        "%",
        "<script>alert(1)</script>",
    ],
)
def test_any_query_returns_a_page(client, query):
    html = get(client, query=query)
    assert "<script>alert(1)</script>" not in html


def test_bad_filters_are_explained_and_the_query_still_runs(client):
    html = get(client, query="防災", fy="abc", area="\x00", type="nope", page="x")
    assert html.count('class="form-error"') >= 3
    assert "協働による防災まちづくり 公助の責任・行政の課題" in html


def test_long_query_is_cut_and_the_resident_told(client):
    html = get(client, query="防災" * 150)
    assert "先頭の200文字で検索しました" in html


def test_control_characters_are_dropped_not_rejected(client):
    assert "第1回 つながる子育てカフェ in 武蔵野" in get(client, query="子育て\x00")


def test_words_no_page_holds_together_show_pages_holding_some_with_a_notice(client):
    html = get(client, query="量子コンピュータ 子育て")
    assert "すべての語を含むページはありませんでした。一部の語を含むページを表示しています" in html
    assert "第3回 つながる子育てカフェ in 武蔵野" in result_titles(html)


def test_pages_holding_every_word_come_before_pages_holding_some(client):
    from search.views import partial_matches

    pages = Page.objects.live().public().filter(depth__gt=1)
    complete = {page.pk for page in pages.search("子育て 防災", operator="and")}
    partial = partial_matches(pages, "子育て 防災")
    assert complete and partial and not complete & set(partial)

    html = get(client, query="子育て 防災")
    assert "すべての語を含むページはありませんでした" not in html
    assert f"すべての語を含むページは{len(complete)}件です" in html
    rows = re.findall(r'<li class="search-result[ "].*?</li>', html, re.S)
    tagged = ["tag--partial" in row for row in rows]
    # Every page with both words first, then those with one, each tagged.
    assert tagged[: len(complete)] == [False] * len(complete)
    assert all(tagged[len(complete) :]) and len(tagged) > len(complete)


def test_a_page_holding_two_of_three_words_ranks_above_one_holding_one():
    from search.views import partial_matches

    pages = Page.objects.live().public().filter(depth__gt=1)
    query = "子育て カフェ 量子コンピュータ"
    ranked = partial_matches(pages, query)
    both = {page.pk for page in pages.search("子育て カフェ", operator="and")}
    assert both and set(ranked[: len(both)]) == both


def test_a_word_typed_in_hiragana_finds_the_kanji_and_is_marked_on_the_page(client):
    html = get(client, query="こうざ")
    assert "団体のためのSNS発信講座" in result_titles(html)
    assert "<mark>講座</mark>" in html
