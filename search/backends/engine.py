"""What the search-engine backends (OpenSearch 2, Elasticsearch 9) share.

Text reaches the engine already analysed (terms separated by spaces, see
search.analysis), so the index must split on whitespace only: the standard
analyzer would cut Japanese into single characters, and a second Japanese
analyzer (kuromoji) would re-split the terms Sudachi made. Autocomplete keeps
Wagtail's edge n-grams, built on whitespace tokens. One mapping, one set of
analyzers, whichever engine the city runs.

Wagtail's engine backends swallow indexing errors (the page is saved, the
index silently misses it). Here they raise inside the background task, which
retries and is kept in the database when the engine stays down
(cms.infrastructure.tasks.run_django_task), so the index catches up; a delete that
cannot reach the engine is queued the same way.
"""

import copy
import json
import logging
import threading

from .base import JapaneseQueryMixin

logger = logging.getLogger(__name__)

WHITESPACE_ANALYZER = "ja_analysed"

# Accents folded as Wagtail's own engine analyzers and SQLite's FTS5 fold
# them (café finds cafe); Japanese text passes through asciifolding as it is.
FILTERS = ["lowercase", "asciifolding"]

ANALYZERS = {
    # Used for every text field without an analyzer of its own.
    "default": {"type": "custom", "tokenizer": "whitespace", "filter": FILTERS},
    WHITESPACE_ANALYZER: {"type": "custom", "tokenizer": "whitespace", "filter": FILTERS},
    "edgengram_analyzer": {
        "type": "custom",
        "tokenizer": "whitespace",
        "filter": [*FILTERS, "edgengram"],
    },
    "ngram_analyzer": {
        "type": "custom",
        "tokenizer": "whitespace",
        "filter": [*FILTERS, "ngram"],
    },
}

EDGENGRAM_ANALYZER_CONFIG = {
    "analyzer": "edgengram_analyzer",
    "search_analyzer": WHITESPACE_ANALYZER,
}


def japanese_index_settings(wagtail_settings):
    """Wagtail's index settings with the whitespace analyzers (a copy)."""
    settings = copy.deepcopy(wagtail_settings)
    settings["settings"]["analysis"]["analyzer"].update(copy.deepcopy(ANALYZERS))
    return settings


def unavailable_errors():
    """The exceptions that mean "the engine cannot answer now", for any installed client."""
    errors = []
    try:
        from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError

        errors.append(OpenSearchConnectionError)
    except ImportError:  # pragma: no cover - opensearch-py is a dependency
        pass
    try:
        from elastic_transport import ConnectionError as ElasticConnectionError
        from elastic_transport import ConnectionTimeout

        errors.extend([ElasticConnectionError, ConnectionTimeout])
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def is_engine_unavailable(error):
    """True for a connection failure or an engine answering 5xx (e.g. no shard ready)."""
    if isinstance(error, unavailable_errors()):
        return True
    status = getattr(error, "status_code", None)
    if status is None:
        status = getattr(getattr(error, "meta", None), "status", None)
    return isinstance(status, int) and status >= 500


class SearchEngineUnavailable(ConnectionError):
    """The engine could not be reached: a ConnectionError, so tasks retry it."""


_clients = {}
_clients_lock = threading.Lock()


def shared_client(client_class, hosts, options):
    """One client per engine address and options, for the whole process.

    Wagtail builds a new backend, so a new client and connection pool, for
    every search; a shared one keeps its connections open between requests
    (the clients are thread-safe).
    """
    key = (client_class, json.dumps([hosts, options], sort_keys=True, default=repr))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = client_class(hosts=hosts, **options)
    return client


class JapaneseEngineBackendMixin(JapaneseQueryMixin):
    """Mixed into Wagtail's OpenSearch/Elasticsearch backend class."""

    # Raise inside the index task so that it is retried (see module docstring).
    catch_indexing_errors = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        engine_client = cls.client_class

        def client(hosts, **options):
            return shared_client(engine_client, hosts, options)

        cls.client_class = staticmethod(client)

    def add(self, obj):
        try:
            return super().add(obj)
        except Exception as error:
            if is_engine_unavailable(error):
                raise SearchEngineUnavailable(str(error)) from error
            raise

    def delete(self, obj):
        try:
            return super().delete(obj)
        except Exception as error:
            if not is_engine_unavailable(error):
                raise
            index = self.get_index_for_model(type(obj))
            document_id = self.mapping_class(type(obj)).get_document_id(obj)
            logger.warning("search engine unavailable: deletion of %s queued", document_id)
            from cms.infrastructure.queue import send_on_commit
            from search.tasks import delete_search_document

            send_on_commit(delete_search_document, index.name, document_id)
            return None
