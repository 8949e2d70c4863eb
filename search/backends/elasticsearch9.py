"""Wagtail's Elasticsearch 9 backend for analysed Japanese text (see search.backends.engine).

Elasticsearch itself cannot run on the development and CI machines; the
mapping, analyzers and query handling it shares with the OpenSearch backend
are tested live there, and this module's classes by tests/search/test_engine.py.
"""

from wagtail.search.backends.elasticsearch9 import (
    Elasticsearch9AutocompleteQueryCompiler,
    Elasticsearch9Mapping,
    Elasticsearch9SearchBackend,
    Elasticsearch9SearchQueryCompiler,
)

from .engine import EDGENGRAM_ANALYZER_CONFIG, JapaneseEngineBackendMixin, japanese_index_settings


class JapaneseElasticsearch9Mapping(Elasticsearch9Mapping):
    edgengram_analyzer_config = EDGENGRAM_ANALYZER_CONFIG


class JapaneseElasticsearch9QueryCompiler(Elasticsearch9SearchQueryCompiler):
    mapping_class = JapaneseElasticsearch9Mapping


class JapaneseElasticsearch9AutocompleteQueryCompiler(Elasticsearch9AutocompleteQueryCompiler):
    mapping_class = JapaneseElasticsearch9Mapping


class JapaneseElasticsearch9SearchBackend(JapaneseEngineBackendMixin, Elasticsearch9SearchBackend):
    mapping_class = JapaneseElasticsearch9Mapping
    query_compiler_class = JapaneseElasticsearch9QueryCompiler
    autocomplete_query_compiler_class = JapaneseElasticsearch9AutocompleteQueryCompiler
    settings = japanese_index_settings(Elasticsearch9SearchBackend.settings)


SearchBackend = JapaneseElasticsearch9SearchBackend
