"""Wagtail's OpenSearch backend for analysed Japanese text (see search.backends.engine).

Built on Wagtail's `opensearch3` classes, the ones written for the
opensearch-py 3 client (keyword arguments only); they speak the REST API that
OpenSearch 2.x and 3.x servers share. `make opensearch` starts a 2.19 node.
"""

from wagtail.search.backends.opensearch3 import (
    OpenSearch3AutocompleteQueryCompiler,
    OpenSearch3Mapping,
    OpenSearch3SearchBackend,
    OpenSearch3SearchQueryCompiler,
)

from .engine import EDGENGRAM_ANALYZER_CONFIG, JapaneseEngineBackendMixin, japanese_index_settings


class JapaneseOpenSearchMapping(OpenSearch3Mapping):
    edgengram_analyzer_config = EDGENGRAM_ANALYZER_CONFIG


class JapaneseOpenSearchQueryCompiler(OpenSearch3SearchQueryCompiler):
    mapping_class = JapaneseOpenSearchMapping


class JapaneseOpenSearchAutocompleteQueryCompiler(OpenSearch3AutocompleteQueryCompiler):
    mapping_class = JapaneseOpenSearchMapping


class JapaneseOpenSearchBackend(JapaneseEngineBackendMixin, OpenSearch3SearchBackend):
    mapping_class = JapaneseOpenSearchMapping
    query_compiler_class = JapaneseOpenSearchQueryCompiler
    autocomplete_query_compiler_class = JapaneseOpenSearchAutocompleteQueryCompiler
    settings = japanese_index_settings(OpenSearch3SearchBackend.settings)


SearchBackend = JapaneseOpenSearchBackend
