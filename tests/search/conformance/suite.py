"""What the three conformance classes share: the fixture, the fields, the set-up.

The project analyses Japanese in its search fields, not in the backends: every
indexed model declares search.index's Japanese fields, and Wagtail's images
and documents are given them (search.media.japanese_fields). The suite's
models are given them the same way, with the same names and boosts; what the
suite then checks is what any model of this site gets from its backend.

`fixtures/search.json` is django-modelsearch's test fixture
(modelsearch/test/testapp/fixtures/search.json in github.com/wagtail/django-modelsearch,
BSD-3-Clause, copyright Karl Hobley and contributors); the wheel does not ship it.
The tree models' and the meeting speaker's rows are written here (fixtures/README.md).
"""

from io import StringIO
from pathlib import Path
from unittest import mock

from modelsearch.management.commands import rebuild_modelsearch_index

from django.core import management

from wagtail.search.backends import get_search_backend
from wagtail.search.index import get_indexed_models
from wagtail.search.models import IndexEntry

from search.media import japanese_fields

FIXTURE = str(Path(__file__).parent / "fixtures" / "search.json")
TEST_APP_LABEL = "searchtests"


def suite_models():
    return [model for model in get_indexed_models() if model._meta.app_label == TEST_APP_LABEL]


def settings_for(config):
    """Both names of the backends setting: Wagtail reads one, the suite's set-up the other."""
    backends = {"default": config}
    return {"WAGTAILSEARCH_BACKENDS": backends, "MODELSEARCH_BACKENDS": backends}


def rebuild_suite_index(backend_name="default"):
    """Index the suite's models afresh, as the suite's own set-up does before each test."""
    IndexEntry.objects.filter(content_type__app_label=TEST_APP_LABEL).delete()
    management.call_command(
        "rebuild_modelsearch_index", backend_name=backend_name, stdout=StringIO(), chunk_size=50
    )


class ProjectBackendMixin:
    """Put before the suite's classes: the Japanese fields, and a cheaper set-up.

    The suite's set-up rebuilds every indexed model before each test; here
    that would re-analyse the demo content's pages each time (minutes per
    run), and the suite searches only its own models. On a database the
    index is rebuilt once per class, inside the class's transaction, so what
    a test changes in it is rolled back with the test.
    """

    fixtures = [FIXTURE]
    index_in_transaction = True

    @classmethod
    def setUpClass(cls):
        # The suite calls the command by modelsearch's name; Wagtail installs
        # it as update_index.
        commands = mock.patch.dict(
            management.get_commands(), {"rebuild_modelsearch_index": "modelsearch"}
        )
        commands.start()
        cls.addClassCleanup(commands.stop)
        # Its rebuilds, the suite's own and those its tests run, index the
        # suite's models only (the site's pages are no part of it).
        indexed = mock.patch.object(rebuild_modelsearch_index, "get_indexed_models", suite_models)
        indexed.start()
        cls.addClassCleanup(indexed.stop)
        for model in suite_models():
            fields = mock.patch.object(model, "search_fields", japanese_fields(model.search_fields))
            fields.start()
            cls.addClassCleanup(fields.stop)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        if cls.index_in_transaction:
            rebuild_suite_index()

    def setUp(self):
        self.backend_name = "default"
        self.backend = get_search_backend(self.backend_name)


def writes_to_engine(method, url):
    """True for a request that changes an engine's indices (not a search, count or refresh)."""
    if "/_search/scroll" in url:  # a search's scroll, cleared after its last page
        return False
    if method in ("PUT", "DELETE"):
        return True
    changes = ("_bulk", "_doc", "_update", "_create", "_delete_by_query", "_aliases")
    return method == "POST" and any(part in url for part in changes)


class IndexOnceMixin:
    """For the engine: rebuild before a test only when an earlier test wrote to the indices.

    A rebuild there is some twenty requests per test (minutes for the suite);
    most tests only search, and the database is rolled back after each one.
    """

    index_in_transaction = False
    index_is_current = False

    def setUp(self):
        super().setUp()
        if not type(self).index_is_current:
            rebuild_suite_index(self.backend_name)
            type(self).index_is_current = True
        transport = self.backend.es.transport
        perform_request = transport.perform_request

        def watched(method, url, *args, **kwargs):
            if writes_to_engine(method, url):
                type(self).index_is_current = False
            return perform_request(method, url, *args, **kwargs)

        watching = mock.patch.object(transport, "perform_request", watched)
        watching.start()
        self.addCleanup(watching.stop)
