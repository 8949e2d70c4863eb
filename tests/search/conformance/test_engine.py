"""Wagtail's search-backend suite on the search engine (search.backends.opensearch).

Runs on the node `make opensearch` starts (OPENSEARCH_URL), in indices of its
own; skipped without one, failing when REQUIRE_SEARCH_ENGINE=1 (CI).
"""

import uuid
from unittest import mock

import pytest
from modelsearch.backends import base as backends_base
from modelsearch.tests import test_opensearch3_backend as upstream

from django.test import TestCase, override_settings

from cms.settings.base import search_backends
from tests.conftest import search_engine_url

from .suite import IndexOnceMixin, ProjectBackendMixin, settings_for, suite_models

PREFIX = f"conformance_{uuid.uuid4().hex[:8]}_"
ENGINE = {
    **search_backends(search_engine_url() or "http://127.0.0.1:9200")["default"],
    "INDEX_PREFIX": PREFIX,
    # The suite indexes what it searches itself (its set-up rebuilds).
    "AUTO_UPDATE": False,
}


@pytest.mark.usefixtures("require_search_engine")
@override_settings(**settings_for(ENGINE))
class TestJapaneseOpenSearchBackend(
    IndexOnceMixin, ProjectBackendMixin, upstream.TestOpenSearch3SearchBackend, TestCase
):
    backend_path = "search.backends.opensearch"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The backend's own list of indices (refresh, reset): the suite's.
        indices = mock.patch.object(backends_base, "get_indexed_models", suite_models)
        indices.start()
        cls.addClassCleanup(indices.stop)

    def test_all_indexes(self):
        # The suite names its indices with its own prefix; these have this run's.
        indexes = [index.get_key() for index in self.backend.all_indexes()]
        models = ("author", "book", "character", "advertwithcustomuuidprimarykey", "meeting")
        models += ("mpanimal", "nsanimal")
        self.assertCountEqual(indexes, [f"{PREFIX}searchtests_{model}" for model in models])

    @classmethod
    def tearDownClass(cls):
        if search_engine_url():
            from wagtail.search.backends import get_search_backend

            get_search_backend("default").es.indices.delete(index=f"{PREFIX}*")
        super().tearDownClass()
