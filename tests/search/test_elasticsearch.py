"""Elasticsearch 9: unit tests of what is sent to it, and the query table
against a real server when ELASTICSEARCH_URL is set.

No Elasticsearch server can run on the development and CI machines, so the
integration tests skip with that reason there; the unit tests build the
backend and its mappings without a connection.
"""

import os
import tomllib
from pathlib import Path

import pytest

from django.core.management import call_command

from wagtail.models import Page

from cms.activities.models import ActivityPage
from cms.settings.base import search_backends
from search.backends.elasticsearch9 import (
    WHITESPACE_ANALYZER,
    JapaneseElasticsearch9Mapping,
    JapaneseElasticsearch9SearchBackend,
)

ES_URL = os.environ.get("ELASTICSEARCH_URL")
TABLE = tomllib.loads((Path(__file__).parent / "query_table.toml").read_text())["query"]


def backend():
    return JapaneseElasticsearch9SearchBackend(
        dict(search_backends(ES_URL or "http://127.0.0.1:9200")["default"])
    )


def test_index_settings_split_analysed_text_on_whitespace_only():
    analyzers = backend().settings["settings"]["analysis"]["analyzer"]
    for name in ("default", WHITESPACE_ANALYZER, "edgengram_analyzer", "ngram_analyzer"):
        assert analyzers[name]["tokenizer"] == "whitespace", name
    assert analyzers["default"]["filter"] == ["lowercase"]
    # Wagtail's own settings are not changed for other projects in the process.
    from wagtail.search.backends.elasticsearch9 import Elasticsearch9SearchBackend

    assert (
        Elasticsearch9SearchBackend.settings["settings"]["analysis"]["analyzer"][
            "edgengram_analyzer"
        ]["tokenizer"]
        == "standard"
    )


def test_mapping_searches_autocomplete_fields_with_the_whitespace_analyzer():
    mapping = JapaneseElasticsearch9Mapping(ActivityPage).get_mapping()
    properties = mapping["properties"]
    assert properties["_edgengrams"]["search_analyzer"] == WHITESPACE_ANALYZER
    # The title is copied to the boosted catch-all field Wagtail queries.
    assert "_all_text_boost_3_0" in properties["title"]["copy_to"]
    assert properties["title_edgengrams"]["analyzer"] == "edgengram_analyzer"


@pytest.mark.django_db
def test_documents_carry_analysed_text():
    page = ActivityPage.objects.get(slug="kosodate-cafe-3")
    document = JapaneseElasticsearch9Mapping(ActivityPage).get_document(page)
    assert document["title"] == "第 3 回 繋がる 子育て カフェ in 武蔵野"
    assert "つながる" in document["title_edgengrams"].split()


def test_settings_choose_this_backend_for_elasticsearch_url():
    config = search_backends("http://search.internal:9200")["default"]
    assert config["BACKEND"] == "search.backends.elasticsearch9"
    assert config["INDEX_PREFIX"] == "musashino_"


needs_server = pytest.mark.skipif(
    not ES_URL,
    reason="ELASTICSEARCH_URL is not set: no Elasticsearch server on this machine",
)


TEST_PREFIX = "musashino_test_"


@pytest.fixture
def es_index(db, settings):
    """The demo content indexed in throw-away indices on the real server."""
    from wagtail.search.backends import get_search_backend

    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {**search_backends(ES_URL)["default"], "INDEX_PREFIX": TEST_PREFIX}
    }
    call_command("update_index", verbosity=0)
    yield
    get_search_backend().es.indices.delete(index=f"{TEST_PREFIX}*", ignore_unavailable=True)


@needs_server
@pytest.mark.parametrize("row", TABLE, ids=[row["q"] for row in TABLE])
def test_query_table_on_elasticsearch(es_index, row):
    from search.views import run_search

    results, _prefix = run_search(Page.objects.live().public().filter(depth__gt=1), row["q"])
    slugs = [page.slug for page in results]
    assert [slug for slug in row["expect"] if slug not in slugs] == []
