"""Site search on a search engine (search.backends.engine and its two backends).

The unit tests build both backends (OpenSearch, Elasticsearch 9) and their
mappings without a connection. The live tests run on the OpenSearch node that
`make opensearch` starts (OPENSEARCH_URL): the query table, autocomplete,
index updates, the rebuild's alias swap, and an engine that goes away.
Elasticsearch itself cannot run here; its backend shares the mapping,
analyzers and query handling tested live through OpenSearch.
"""

import tomllib
import uuid
from pathlib import Path

import pytest

from django.core.management import call_command
from django.test import override_settings

from wagtail.models import Page

from cms.activities.models import ActivityIndexPage, ActivityPage
from cms.infrastructure.models import PendingTask
from cms.infrastructure.queue import requeue_pending
from cms.settings.base import search_backends
from search.backends.elasticsearch9 import JapaneseElasticsearch9SearchBackend
from search.backends.engine import WHITESPACE_ANALYZER
from search.backends.opensearch import JapaneseOpenSearchBackend, JapaneseOpenSearchMapping
from search.views import run_search
from tests.conftest import search_engine_url
from tests.factories import ActivityPageFactory
from tests.serving import free_port

TABLE = tomllib.loads((Path(__file__).parent / "query_table.toml").read_text())["query"]
BACKENDS = [JapaneseOpenSearchBackend, JapaneseElasticsearch9SearchBackend]


def config(url="http://127.0.0.1:9200", prefix="musashino_"):
    return {**search_backends(url)["default"], "INDEX_PREFIX": prefix}


@pytest.mark.parametrize("backend_class", BACKENDS)
def test_both_engines_split_analysed_text_on_whitespace_only(backend_class):
    analyzers = backend_class(config()).settings["settings"]["analysis"]["analyzer"]
    for name in ("default", WHITESPACE_ANALYZER, "edgengram_analyzer", "ngram_analyzer"):
        assert analyzers[name]["tokenizer"] == "whitespace", name
    assert analyzers["default"]["filter"] == ["lowercase", "asciifolding"]


def test_wagtails_own_settings_are_unchanged_for_other_projects():
    from wagtail.search.backends.opensearch3 import OpenSearch3SearchBackend

    analyzer = OpenSearch3SearchBackend.settings["settings"]["analysis"]["analyzer"]
    assert analyzer["edgengram_analyzer"]["tokenizer"] == "standard"


def test_mapping_searches_autocomplete_fields_with_the_whitespace_analyzer():
    properties = JapaneseOpenSearchMapping(ActivityPage).get_mapping()["properties"]
    assert properties["_edgengrams"]["search_analyzer"] == WHITESPACE_ANALYZER
    # The title is copied to the boosted catch-all field Wagtail queries.
    assert "_all_text_boost_3_0" in properties["title"]["copy_to"]


@pytest.mark.django_db
def test_documents_carry_analysed_text():
    page = ActivityPage.objects.get(slug="kosodate-cafe-3")
    document = JapaneseOpenSearchMapping(ActivityPage).get_document(page)
    assert document["title"].startswith("第 3 回 繋がる 子育て カフェ in 武蔵野 ")
    assert "コソダテ" in document["title"].split()  # its reading, for kana queries
    assert "つながる" in document["title_edgengrams"].split()


def test_one_client_per_engine_address():
    first, second = JapaneseOpenSearchBackend(config()), JapaneseOpenSearchBackend(config())
    assert first.es is second.es
    other = JapaneseOpenSearchBackend(config("http://127.0.0.1:9201"))
    assert other.es is not first.es


# Live, on the node `make opensearch` starts.


def _indexed(prefix):
    """A backend with the database's pages indexed under `prefix`."""
    from wagtail.search.backends import get_search_backend

    call_command("update_index", verbosity=0)
    backend = get_search_backend()
    backend.refresh_all = lambda: backend.es.indices.refresh(index=f"{prefix}*")
    return backend


@pytest.fixture(scope="module")
def engine_index(django_db_setup, django_db_blocker):
    """The demo content indexed once for this module's read-only tests."""
    url = search_engine_url()
    if url is None:
        yield None
        return
    prefix = f"musashino_test_{uuid.uuid4().hex[:8]}_"
    with override_settings(WAGTAILSEARCH_BACKENDS={"default": config(url, prefix)}):
        with django_db_blocker.unblock():
            backend = _indexed(prefix)
        yield config(url, prefix), backend
        backend.es.indices.delete(index=f"{prefix}*")


@pytest.fixture
def engine(require_search_engine, engine_index, db, settings):
    """The shared index, for tests that change nothing."""
    settings.WAGTAILSEARCH_BACKENDS = {"default": engine_index[0]}
    return engine_index[1]


@pytest.fixture
def own_engine(require_search_engine, db, settings):
    """Indices of this test's own, for tests that publish, move or delete."""
    prefix = f"musashino_test_{uuid.uuid4().hex[:8]}_"
    settings.WAGTAILSEARCH_BACKENDS = {"default": config(require_search_engine, prefix)}
    backend = _indexed(prefix)
    yield backend
    backend.es.indices.delete(index=f"{prefix}*")


def found(backend, query):
    backend.refresh_all()
    results, _prefix = run_search(Page.objects.live().public().filter(depth__gt=1), query)
    return [page.slug for page in results]


@pytest.mark.parametrize("row", TABLE, ids=[row["q"] for row in TABLE])
def test_query_table_on_the_engine(engine, row):
    slugs = found(engine, row["q"])
    missing = [slug for slug in row["expect"] if slug not in slugs]
    assert missing == [], f"{row['q']} ({row['why']}) missed {missing}"
    if "top" in row:
        assert slugs[0] == row["top"]


def test_titles_weigh_more_than_bodies_on_the_engine(engine):
    slugs = found(engine, "子育て")
    title_hits = {"kosodate-cafe-1", "kosodate-cafe-2", "kosodate-cafe-3", "tokotoko", "somlic"}
    body_only = {"smile-mama", "mama-no-hane", "workers-donguri"}
    assert max(slugs.index(s) for s in title_hits) < min(slugs.index(s) for s in body_only)


def test_the_engine_keeps_sudachis_terms_whole(engine):
    index = engine.get_index_for_model(Page).name
    tokens = engine.es.indices.analyze(
        index=index, body={"analyzer": "default", "text": "繋がる 子育て カフェ"}
    )["tokens"]
    assert [token["token"] for token in tokens] == ["繋がる", "子育て", "カフェ"]


def test_autocomplete_on_the_engine(engine):
    engine.refresh_all()
    slugs = [page.slug for page in Page.objects.live().autocomplete("子育")]
    assert {"kosodate-cafe-1", "kosodate-cafe-2", "kosodate-cafe-3"} <= set(slugs)


def test_the_search_page_on_the_engine(engine, client):
    engine.refresh_all()
    html = client.get("/search/", {"query": "コミセン"}).content.decode()
    assert "件" in html and "Search is not available" not in html
    assert 'class="search-result"' in html


def test_publish_unpublish_move_and_delete_reach_the_engine(own_engine, client):
    engine = own_engine
    index = ActivityIndexPage.objects.get(slug="activities")
    page = ActivityPageFactory(
        parent=index, title="ボッチャ体験会", summary="誰でも楽しめるスポーツ", slug="boccia"
    )
    assert "boccia" in found(engine, "ボッチャ")
    page.summary = "パラスポーツを体験します"
    page.save_revision().publish()
    assert "boccia" in found(engine, "パラスポーツ")
    page.unpublish()
    assert "boccia" not in found(engine, "ボッチャ")

    moved = ActivityPage.objects.get(slug="iroha-2-bousai")
    moved.move(index, pos="last-child")
    engine.refresh_all()
    html = client.get("/search/", {"query": "防災"}).content.decode()
    assert 'href="/activities/iroha-2-bousai/"' in html

    moved.delete()
    assert "iroha-2-bousai" not in found(engine, "防災")


def test_update_index_swaps_a_new_index_in(own_engine):
    engine = own_engine
    alias = engine.get_index_for_model(Page).name
    before = set(engine.es.indices.get_alias(name=alias))
    call_command("update_index", verbosity=0)
    after = set(engine.es.indices.get_alias(name=alias))
    assert len(after) == 1 and after != before
    # The old index is gone, and searching works on the new one.
    assert not engine.es.indices.exists(index=",".join(before))
    assert "iroha-2-bousai" in found(engine, "防災")


UNAVAILABLE = "ただいま検索をご利用いただけません"


def test_engine_down_the_search_page_says_so_and_nothing_is_lost(
    own_engine, settings, client, django_capture_on_commit_callbacks
):
    engine = own_engine
    live = settings.WAGTAILSEARCH_BACKENDS["default"]
    closed = {**live, "URLS": [f"http://127.0.0.1:{free_port()}"]}
    settings.WAGTAILSEARCH_BACKENDS = {"default": closed}

    response = client.get("/search/", {"query": "防災"})
    assert response.status_code == 200
    assert UNAVAILABLE in response.content.decode()

    # An editor publishes and deletes while the engine is down: both succeed,
    # and the index updates wait in the database.
    index = ActivityIndexPage.objects.get(slug="activities")
    ActivityPageFactory(parent=index, title="ボッチャ体験会", slug="boccia")
    assert PendingTask.objects.count() >= 1
    with django_capture_on_commit_callbacks(execute=True):
        ActivityPage.objects.get(slug="iroha-2-bousai").delete()
    kept = PendingTask.objects.count()
    assert kept >= 2

    # The engine is back: what was kept is sent again, and search is right.
    settings.WAGTAILSEARCH_BACKENDS = {"default": live}
    assert requeue_pending() == (kept, 0)
    assert "boccia" in found(engine, "ボッチャ")
    assert "iroha-2-bousai" not in found(engine, "防災")
    assert UNAVAILABLE not in client.get("/search/", {"query": "防災"}).content.decode()
