"""The matching index on the site's search engine (OpenSearch, or Elasticsearch).

With OPENSEARCH_URL (or ELASTICSEARCH_URL) set, opportunities and groups are
indexed (matching.engine.retrieval) and ranking retrieves candidates there;
without it, or while the index is not built or the engine is down, the
in-process engine ranks (matching.services). This module knows both sides:
settings, the cache and the site's records on one, the engine on the other.

The index is built by `manage.py rebuild_matching_index` and kept up to date
by Celery tasks when pages are published, unpublished or deleted, and when
suggestions change how crowded an opportunity is (matching.tasks).
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import sources
from .engine import indexing, retrieval
from .engine.text import JapaneseAnalyzer

logger = logging.getLogger(__name__)

DEFAULT_INDEX_PREFIX = "musashino_"
# Ranking waits this long for the engine before ranking in-process.
SEARCH_TIMEOUT = 2.0
INDEXING_TIMEOUT = 120.0

_clients = {}


def engine_url():
    """The search engine's URL, or None when none is configured."""
    return getattr(settings, "OPENSEARCH_URL", None) or getattr(settings, "ELASTICSEARCH_URL", None)


def is_configured():
    return bool(engine_url())


def index_names():
    prefix = getattr(settings, "MATCHING_INDEX_PREFIX", None) or DEFAULT_INDEX_PREFIX
    return indexing.IndexNames.with_prefix(prefix)


def client(timeout=SEARCH_TIMEOUT):
    """A client of the configured engine (thread-safe, one per URL and timeout)."""
    from opensearchpy import OpenSearch

    url = engine_url()
    if (url, timeout) not in _clients:
        # No retries: a ranking that cannot reach the engine ranks in-process.
        _clients[url, timeout] = OpenSearch(url, timeout=timeout, max_retries=0)
    return _clients[url, timeout]


def _vocabulary_key(names):
    return f"matching:index-vocabulary:{names.opportunities}"


def _publish(names, vocabulary):
    """Share the index's vocabulary with every process, and make them reload it."""
    cache.set(_vocabulary_key(names), vocabulary, None)
    sources.invalidate_engine()


def vocabulary(engine_client, names):
    """The index's vocabulary: from the cache, else read from the engine."""
    found = cache.get(_vocabulary_key(names))
    if found is None:
        found = indexing.load_vocabulary(engine_client, names)
        cache.set(_vocabulary_key(names), found, None)
    return found


def rebuild_index():
    """Index every open opportunity and every group anew, then switch readers
    to the new indices at once (the old ones serve until then). Returns
    {kind: documents indexed}."""
    names = index_names()
    corpus = indexing.Corpus(
        sources.opportunity_records(), sources.group_records(), sources.skill_records()
    )
    counts = indexing.rebuild(
        client(INDEXING_TIMEOUT),
        names,
        corpus,
        suffix=timezone.now().strftime("%Y%m%d%H%M%S%f"),
    )
    _publish(names, corpus.vocabulary)
    return {"opportunities": 0, "groups": 0, **counts}


def delete_index():
    """Delete the matching indices and their aliases (tests, and starting over)."""
    engine_client, names = client(INDEXING_TIMEOUT), index_names()
    for alias in names:
        found = engine_client.indices.get(index=f"{alias}_*", ignore_unavailable=True)
        for index in found:
            engine_client.indices.delete(index=index)
    cache.delete(_vocabulary_key(names))


def update_index(opportunity_ids=(), group_ids=()):
    """Bring the indexed opportunities and groups (by page id) up to date.

    An opportunity no longer open or live leaves the index; its group, before
    and after (it may have moved), is indexed again with the opportunities it
    now has. Does nothing while the index is not built. Returns how many
    documents were written or deleted.
    """
    engine_client, names = client(INDEXING_TIMEOUT), index_names()
    if not indexing.is_built(engine_client, names):
        logger.info("matching index not built: nothing to update")
        return 0
    opportunity_ids, group_ids = set(opportunity_ids), set(group_ids)
    # Closed ones (applications closed, or ended) leave the index.
    records = {
        record.key: record
        for record in sources.opportunity_records(ids=opportunity_ids)
        if record.is_open
    }
    groups = set(group_ids) | indexing.indexed_groups(engine_client, names, opportunity_ids)
    groups |= {record.group_key for record in records.values() if record.group_key is not None}
    skills = {skill.slug: skill for skill in sources.skill_records()}
    analyzer = JapaneseAnalyzer()
    terms = {
        key: indexing.opportunity_terms(record, skills, analyzer) for key, record in records.items()
    }
    current = vocabulary(engine_client, names)

    def write_opportunities():
        documents = [
            (key, _opportunity_document(record, terms[key], current))
            for key, record in records.items()
        ]
        deleted = {"opportunities": opportunity_ids - set(records)}
        return indexing.write(engine_client, names, opportunities=documents, deleted=deleted)

    written = write_opportunities()
    current = indexing.load_vocabulary(engine_client, names)
    if any(term not in current.columns for found in terms.values() for term in found):
        # Weighed with the vocabulary before they were in it: again, with them.
        write_opportunities()
    group_records = {group.key: group for group in sources.group_records(ids=groups)}
    members = indexing.members_of(engine_client, names, group_records)
    documents = [
        (
            key,
            indexing.group_document_from_members(
                group,
                indexing.analysed_terms(indexing.group_texts(group), analyzer),
                members[key],
                current,
            ),
        )
        for key, group in group_records.items()
    ]
    written += indexing.write(
        engine_client, names, groups=documents, deleted={"groups": groups - set(group_records)}
    )
    _publish(names, indexing.load_vocabulary(engine_client, names))
    return written


def _opportunity_document(record, terms, vocabulary):
    return indexing.opportunity_document(record, terms, indexing.weights_of(terms, vocabulary))


def update_crowding(opportunity_ids):
    """Write how crowded these opportunities are now (accepted and pending suggestions)."""
    engine_client, names = client(INDEXING_TIMEOUT), index_names()
    if not indexing.is_built(engine_client, names):
        return 0
    return indexing.update_crowding(
        engine_client, names, sources.opportunity_records(ids=opportunity_ids)
    )


def ranker(weights):
    """A SearchEngineRanker over the index, or None while it is not built.

    Raises indexing.EngineUnavailable when the engine does not answer.
    """
    engine_client, names = client(), index_names()
    if not indexing.is_built(engine_client, names):
        logger.warning(
            "matching index %s not built: ranking in-process (run manage.py "
            "rebuild_matching_index)",
            names.opportunities,
        )
        return None
    return retrieval.SearchEngineRanker(
        engine_client,
        names,
        vocabulary=vocabulary(engine_client, names),
        skills=sources.skill_records(),
        weights=weights,
    )
