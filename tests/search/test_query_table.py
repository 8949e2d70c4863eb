"""The Japanese query table on the configured backend.

`make test` runs it on SQLite FTS5, `make test-services` on PostgreSQL; the
Elasticsearch run is in test_elasticsearch.py.
"""

import tomllib
from pathlib import Path

import pytest

from wagtail.models import Page

from search.views import run_search

TABLE = tomllib.loads((Path(__file__).parent / "query_table.toml").read_text())["query"]
pytestmark = pytest.mark.django_db


def found_slugs(query):
    pages = Page.objects.live().public().filter(depth__gt=1)
    results, _prefix = run_search(pages, query)
    return [page.slug for page in results]


@pytest.mark.parametrize("row", TABLE, ids=[row["q"] for row in TABLE])
def test_query_finds_the_expected_pages(row):
    slugs = found_slugs(row["q"])
    missing = [slug for slug in row["expect"] if slug not in slugs]
    assert missing == [], f"{row['q']} ({row['why']}) missed {missing}"
    if "top" in row:
        assert slugs[0] == row["top"]


def test_titles_weigh_more_than_bodies():
    """子育て in a title ranks above pages that only mention it in their text."""
    slugs = found_slugs("子育て")
    title_hits = {"kosodate-cafe-1", "kosodate-cafe-2", "kosodate-cafe-3", "tokotoko", "somlic"}
    body_only = {"smile-mama", "mama-no-hane", "workers-donguri"}
    assert max(slugs.index(s) for s in title_hits) < min(slugs.index(s) for s in body_only)


def test_a_word_that_is_nowhere_finds_nothing():
    assert found_slugs("量子コンピュータ") == []


def test_a_written_match_ranks_above_one_that_only_sounds_the_same(home):
    from tests.factories import StandardPageFactory

    written = StandardPageFactory(parent=home, title="講座のご案内", slug="koza-annai")
    homophone = StandardPageFactory(parent=home, title="口座振替のご案内", slug="koza-furikae")
    slugs = found_slugs("講座")
    assert slugs.index(written.slug) < slugs.index(homophone.slug)
    # Typed in kana, both are found: the resident may mean either.
    assert {written.slug, homophone.slug} <= set(found_slugs("こうざ"))


def test_a_short_kana_start_finds_words_by_their_reading():
    """ぼう, two kana: not a whole term, so tried as the start of a reading (防災)."""
    assert "iroha-2-bousai" in found_slugs("ぼう")
