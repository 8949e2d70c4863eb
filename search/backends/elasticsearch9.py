"""Wagtail's Elasticsearch 9 backend for analysed Japanese text.

Text reaches Elasticsearch already analysed (terms separated by spaces, see
search.analysis), so the index must split on whitespace only: the standard
analyzer would cut Japanese into single characters. Autocomplete keeps
Wagtail's edge n-grams, built on whitespace tokens.
"""

import copy

from wagtail.search.backends.elasticsearch9 import (
    Elasticsearch9AutocompleteQueryCompiler,
    Elasticsearch9Mapping,
    Elasticsearch9SearchBackend,
    Elasticsearch9SearchQueryCompiler,
)

from .base import JapaneseQueryMixin

WHITESPACE_ANALYZER = "ja_analysed"

ANALYSIS = {
    "analyzer": {
        # Used for every text field without an analyzer of its own.
        "default": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
        WHITESPACE_ANALYZER: {
            "type": "custom",
            "tokenizer": "whitespace",
            "filter": ["lowercase"],
        },
        "edgengram_analyzer": {
            "type": "custom",
            "tokenizer": "whitespace",
            "filter": ["lowercase", "edgengram"],
        },
        "ngram_analyzer": {
            "type": "custom",
            "tokenizer": "whitespace",
            "filter": ["lowercase", "ngram"],
        },
    },
}


class JapaneseElasticsearch9Mapping(Elasticsearch9Mapping):
    edgengram_analyzer_config = {
        "analyzer": "edgengram_analyzer",
        "search_analyzer": WHITESPACE_ANALYZER,
    }


class JapaneseElasticsearch9QueryCompiler(Elasticsearch9SearchQueryCompiler):
    mapping_class = JapaneseElasticsearch9Mapping


class JapaneseElasticsearch9AutocompleteQueryCompiler(Elasticsearch9AutocompleteQueryCompiler):
    mapping_class = JapaneseElasticsearch9Mapping


class JapaneseElasticsearch9SearchBackend(JapaneseQueryMixin, Elasticsearch9SearchBackend):
    mapping_class = JapaneseElasticsearch9Mapping
    query_compiler_class = JapaneseElasticsearch9QueryCompiler
    autocomplete_query_compiler_class = JapaneseElasticsearch9AutocompleteQueryCompiler
    settings = copy.deepcopy(Elasticsearch9SearchBackend.settings)
    settings["settings"]["analysis"]["analyzer"].update(ANALYSIS["analyzer"])


SearchBackend = JapaneseElasticsearch9SearchBackend
