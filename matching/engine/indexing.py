"""The matching indices on a search engine: what is indexed, and how.

Two indices, read and written through aliases (IndexNames): the open
opportunities and the groups, each document keyed by the record's key (the
page id). Text
arrives analysed (the Sudachi terms of search.analysis, as the in-process
engine analyses it): as distinct terms (`vocabulary`, for the document
frequencies), as counts (`tf`, for the ranking) and as TF-IDF weights
(`text`, a rank_features field, for retrieval: see retrieval.py). Skills,
slots, place, and how crowded an opportunity is are indexed alongside.

Nothing here imports the page tree: it takes records (records.py) and an
opensearchpy client; the site's side is matching.search_index.
"""

from collections import Counter
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
from opensearchpy import helpers
from opensearchpy.exceptions import OpenSearchException
from scipy import sparse

from .ranking import FULL_PENALTY, _document, crowding_penalty
from .records import Opportunity
from .text import JapaneseAnalyzer, Vocabulary

# Rank features are named by their term; a dot would make an object path.
_DOT = "\u2024"  # ONE DOT LEADER: NFKC folds it to ".", so no term holds one
# Composite aggregation pages when reading the vocabulary.
_VOCABULARY_PAGE = 10_000


class EngineUnavailable(Exception):
    """The search engine did not answer, or its matching index is missing."""


@dataclass(frozen=True)
class IndexNames:
    """The aliases the two indices are read and written through."""

    opportunities: str
    groups: str

    @classmethod
    def with_prefix(cls, prefix):
        return cls(f"{prefix}matching_opportunities", f"{prefix}matching_groups")

    def __iter__(self):
        return iter((self.opportunities, self.groups))


def _keyword(**extra):
    return {"type": "keyword", **extra}


_STORED_ONLY = {"type": "keyword", "index": False, "doc_values": False}
_SHARED_MAPPING = {
    "key": _keyword(),
    "slug": _STORED_ONLY,
    "title": _STORED_ONLY,
    "location": {"type": "geo_point"},
    # Set (true) only where the place is unknown: a term query then visits
    # those alone, where "no location" would visit every document.
    "unplaced": {"type": "boolean"},
    # Distinct terms (document frequencies for the vocabulary), term counts
    # (the in-process ranking reweighs them) and TF-IDF weights (retrieval).
    "vocabulary": _keyword(),
    "tf": {"type": "object", "enabled": False},
    "text": {"type": "rank_features"},
}
MAPPINGS = {
    "opportunities": {
        **_SHARED_MAPPING,
        "group": _keyword(),
        "skills": _keyword(),
        "skill_count": {"type": "integer"},
        "skill_share": {"type": "rank_features"},
        # The whole set as one term: "all the skills asked for are the
        # resident's" is then a terms query on the subsets of theirs.
        "skill_set": _keyword(),
        "slots": _keyword(),
        "slot_count": {"type": "integer"},
        "slot_share": {"type": "rank_features"},
        "slot_set": _keyword(),
        "capacity": {"type": "integer"},
        "accepted": {"type": "integer"},
        "pending": {"type": "integer"},
        "room": {"type": "rank_feature"},
        "full": {"type": "boolean"},
    },
    "groups": {
        **_SHARED_MAPPING,
        # Its open opportunities' distinct skills and slots, in key order: a
        # group's skills and slots components are its best member's.
        "members": {
            "type": "nested",
            "properties": {
                # In the order asked for (reasons name them in that order).
                "skill_list": _keyword(),
                "skill_count": {"type": "integer"},
                "skill_share": {"type": "rank_features"},
                "slots": _keyword(),
                "slot_count": {"type": "integer"},
                "slot_share": {"type": "rank_features"},
            },
        },
        "member_count": {"type": "integer"},
    },
}
# Retrieval reads these from the index; the ranking never needs them (a
# group's members come back as inner hits: only its best).
_NOT_RETURNED = ["vocabulary", "text", "skill_share", "slot_share", "members"]
MEMBER_FIELDS = ["members.skill_list", "members.slots"]


def index_body(kind, *, replicas=0):
    """Settings and mappings of the opportunities' or the groups' index."""
    return {
        "settings": {"index": {"number_of_shards": 1, "number_of_replicas": replicas}},
        "mappings": {
            "dynamic": "strict",
            # Only what ranking reads comes back; the features stay in the index.
            "_source": {"excludes": _NOT_RETURNED},
            "properties": MAPPINGS[kind],
        },
    }


def feature(term):
    """A term as the name of a rank feature."""
    return term.replace(".", _DOT)


class Corpus:
    """Open opportunities and groups with their analysed text: what is indexed.

    Analyses as the in-process engine does (search.analysis via the same
    analyser), and fits the same vocabulary: opportunities and the groups'
    own texts.
    """

    def __init__(self, opportunities, groups, skills):
        self.opportunities = sorted(
            (item for item in opportunities if item.is_open), key=attrgetter("key")
        )
        self.groups = sorted(groups, key=attrgetter("key"))
        skills = {skill.slug: skill for skill in skills}
        analyzer = JapaneseAnalyzer()
        texts = [_document(item, skills) for item in self.opportunities]
        texts += [group_texts(group) for group in self.groups]
        self.vocabulary, counts = Vocabulary.fit(analyzer(text) for text in texts)
        count = len(self.opportunities)
        self.opportunity_counts = sparse.csr_array(counts[:count])
        self.own_counts = sparse.csr_array(counts[count:])
        position = {group.key: index for index, group in enumerate(self.groups)}
        self.members = [[] for _group in self.groups]
        for index, item in enumerate(self.opportunities):
            if item.group_key in position:
                self.members[position[item.group_key]].append(index)

    def documents(self):
        """(kind, key, document) for every opportunity, then every group."""
        vocabulary = self.vocabulary
        counts = self.opportunity_counts
        weights = vocabulary.weigh(counts)
        for index, item in enumerate(self.opportunities):
            terms, features = _row(counts, index, vocabulary), _row(weights, index, vocabulary)
            yield "opportunities", item.key, opportunity_document(item, terms, features)
        group_counts = self.own_counts + _membership(self.members, len(self.opportunities)) @ counts
        group_weights = vocabulary.weigh(group_counts)
        for index, group in enumerate(self.groups):
            members = [self.opportunities[position] for position in self.members[index]]
            document = group_document(
                group,
                own_terms=_row(self.own_counts, index, vocabulary),
                terms=_row(group_counts, index, vocabulary),
                weights=_row(group_weights, index, vocabulary),
                members=members,
            )
            yield "groups", group.key, document


def group_texts(group):
    """A group's own texts (its document adds its opportunities')."""
    return (group.title, group.description, *group.fields)


def analysed_terms(texts, analyzer):
    """{term: count} of texts, as Corpus and the ranking analyse them."""
    return dict(Counter(analyzer(texts)))


def opportunity_terms(item, skills, analyzer):
    """{term: count} of an opportunity's texts ({slug: Skill} gives its skills' words)."""
    return analysed_terms(_document(item, skills), analyzer)


def weights_of(terms, vocabulary):
    """{term: TF-IDF weight} of one document's term counts."""
    return _row(vocabulary.weigh(vocabulary.count_maps([terms])), 0, vocabulary)


def _membership(members, opportunity_count):
    rows = np.repeat(np.arange(len(members)), [len(indexes) for indexes in members])
    columns = np.array([index for indexes in members for index in indexes], dtype=np.intp)
    return sparse.csr_array(
        (np.ones(len(rows)), (rows, columns)), shape=(len(members), opportunity_count)
    )


def _row(matrix, index, vocabulary):
    """{term: value} of one row of a matrix in the vocabulary's columns."""
    start, end = matrix.indptr[index], matrix.indptr[index + 1]
    terms = vocabulary.terms
    return dict(
        zip(
            (terms[column] for column in matrix.indices[start:end].tolist()),
            matrix.data[start:end].tolist(),
            strict=True,
        )
    )


def _features(weights):
    return {feature(term): weight for term, weight in weights.items() if weight > 0}


def _location(place):
    return None if place is None else {"lat": place.lat, "lon": place.lon}


def _place_fields(place):
    return {"unplaced": True} if place is None else {"location": _location(place)}


def value_set(values):
    """A set of skill slugs or slot codes as one term (sorted, comma-joined;
    "-" for none)."""
    return ",".join(sorted(values)) or "-"


def _skills_and_slots(skills, slots, *, as_list=False):
    return {
        **({"skill_list": ",".join(skills)} if as_list else {"skills": list(skills)}),
        "skill_count": len(skills),
        "skill_share": {slug: 1.0 / len(skills) for slug in skills},
        "slots": sorted(slots),
        "slot_count": len(slots),
        "slot_share": {code: 1.0 / len(slots) for code in slots},
    }


def opportunity_document(item, terms, weights):
    """The indexed form of an open opportunity record, with its term counts
    ({term: count}) and TF-IDF weights ({term: weight}).

    Only open ones are indexed (a closed one is deleted): a filter on a field
    every document holds would make the engine visit the whole index.
    """
    if not item.is_open:
        raise ValueError(f"opportunity {item.key!r} is closed: delete it from the index")
    penalty = crowding_penalty(item)
    full = penalty >= FULL_PENALTY
    document = {
        "key": item.key,
        "slug": item.slug,
        "title": item.title,
        "group": item.group_key,
        "vocabulary": sorted(terms),
        "tf": {term: int(count) for term, count in terms.items()},
        "text": _features(weights),
        **_skills_and_slots(item.skills, item.slots),
        "skill_set": value_set(item.skills),
        "slot_set": value_set(item.slots),
        "capacity": item.capacity,
        "accepted": item.accepted,
        "pending": item.pending,
        "full": full,
    }
    # A rank feature must be positive: with no room left the clause adds 0.
    if not full and penalty < 1.0:
        document["room"] = 1.0 - penalty
    document.update(_place_fields(item.place))
    return document


def group_document(group, *, own_terms, terms, weights, members):
    """The indexed form of a group: its own terms count for the vocabulary,
    its text (`terms`, `weights`) is its own and its open opportunities', as
    the ranking has it; `members` are those opportunities, in key order."""
    pairs = list(dict.fromkeys((tuple(item.skills), tuple(sorted(item.slots))) for item in members))
    document = {
        "key": group.key,
        "slug": group.slug,
        "title": group.title,
        "vocabulary": sorted(own_terms),
        "tf": {term: int(count) for term, count in terms.items()},
        "text": _features(weights),
        "members": [_skills_and_slots(skills, slots, as_list=True) for skills, slots in pairs],
        "member_count": len(members),
    }
    document.update(_place_fields(group.place))
    return document


# -- indexing -------------------------------------------------------------------


def _call(function, *args, **kwargs):
    """A client call; any failure of the engine is EngineUnavailable."""
    try:
        return function(*args, **kwargs)
    except OpenSearchException as error:
        raise EngineUnavailable(f"{type(error).__name__}: {error}") from error


def is_built(client, names):
    """True when both aliases exist (rebuild_matching_index has run)."""
    return all(_call(client.indices.exists_alias, name=alias) for alias in names)


def rebuild(client, names, corpus, *, suffix, chunk_size=1000, threads=2, chunk_bytes=5 * 2**20):
    """Index the corpus into new indices and move the aliases to them at once.

    Readers keep using the old indices until the swap, then the new ones;
    the old are deleted afterwards. Returns {kind: documents indexed}.
    """
    concrete = {kind: f"{alias}_{suffix}" for kind, alias in zip(MAPPINGS, names, strict=True)}
    for kind, index in concrete.items():
        body = index_body(kind)
        # No refreshes while loading: one at the end.
        body["settings"]["index"]["refresh_interval"] = "-1"
        _call(client.indices.create, index=index, body=body)
    counted = Counter()

    def actions():
        for kind, key, document in corpus.documents():
            counted[kind] += 1
            yield {"_index": concrete[kind], "_id": str(key), "_source": document}

    try:
        for ok, item in _call(
            helpers.parallel_bulk,
            client,
            actions(),
            chunk_size=chunk_size,
            # Well under the engine's indexing-pressure limit (10% of its heap).
            max_chunk_bytes=chunk_bytes,
            thread_count=threads,
            raise_on_error=False,
        ):
            if not ok:
                raise EngineUnavailable(f"indexing failed: {item}")
        for index in concrete.values():
            _call(
                client.indices.put_settings, index=index, body={"index": {"refresh_interval": None}}
            )
            _call(client.indices.refresh, index=index)
        _swap_aliases(client, names, concrete)
    except BaseException:
        _call(client.indices.delete, index=",".join(concrete.values()), ignore_unavailable=True)
        raise
    return dict(counted)


def _swap_aliases(client, names, concrete):
    actions, old = [], []
    for kind, alias in zip(MAPPINGS, names, strict=True):
        if _call(client.indices.exists_alias, name=alias):
            current = list(_call(client.indices.get_alias, name=alias))
            old += current
            actions += [{"remove": {"index": index, "alias": alias}} for index in current]
        elif _call(client.indices.exists, index=alias):
            raise EngineUnavailable(f"{alias} is an index, not an alias: delete it first")
        actions.append({"add": {"index": concrete[kind], "alias": alias}})
    _call(client.indices.update_aliases, body={"actions": actions})
    if old:
        _call(client.indices.delete, index=",".join(old), ignore_unavailable=True)


def write(client, names, opportunities=(), groups=(), deleted=None):
    """Index documents and delete others, and make them visible to searches.

    `opportunities`/`groups` are (key, document) pairs; `deleted` is
    {"opportunities": keys, "groups": keys}.
    """
    deleted = deleted or {}
    actions = [
        {"_index": alias, "_id": str(key), "_source": document}
        for alias, pairs in ((names.opportunities, opportunities), (names.groups, groups))
        for key, document in pairs
    ]
    actions += [
        {"_op_type": "delete", "_index": alias, "_id": str(key)}
        for alias, kind in ((names.opportunities, "opportunities"), (names.groups, "groups"))
        for key in deleted.get(kind, ())
    ]
    if not actions:
        return 0
    _ok, errors = _call(
        helpers.bulk, client, actions, refresh="wait_for", raise_on_error=False, stats_only=False
    )
    errors = [error for error in errors if error.get("delete", {}).get("status") != 404]
    if errors:
        raise EngineUnavailable(f"indexing failed: {errors[0]}")
    return len(actions)


def update_crowding(client, names, opportunities):
    """Write the load (accepted, pending) of opportunity records already indexed."""
    actions = []
    for item in opportunities:
        penalty = crowding_penalty(item)
        full = penalty >= FULL_PENALTY
        room = 1.0 - penalty if not full and penalty < 1.0 else None
        actions.append(
            {
                "_op_type": "update",
                "_index": names.opportunities,
                "_id": str(item.key),
                "script": {
                    "source": (
                        "ctx._source.accepted = params.accepted; "
                        "ctx._source.pending = params.pending; "
                        "ctx._source.capacity = params.capacity; "
                        "ctx._source.full = params.full; "
                        "if (params.room == null) { ctx._source.remove('room') } "
                        "else { ctx._source.room = params.room }"
                    ),
                    "params": {
                        "accepted": item.accepted,
                        "pending": item.pending,
                        "capacity": item.capacity,
                        "full": full,
                        "room": room,
                    },
                },
            }
        )
    if not actions:
        return 0
    _ok, errors = _call(helpers.bulk, client, actions, raise_on_error=False, stats_only=False)
    errors = [error for error in errors if error.get("update", {}).get("status") != 404]
    if errors:
        raise EngineUnavailable(f"updating failed: {errors[0]}")
    return len(actions)


def indexed_groups(client, names, opportunity_keys):
    """The group keys the indexed opportunities name (before an update changes them)."""
    keys = [str(key) for key in opportunity_keys]
    if not keys:
        return set()
    response = _call(
        client.mget, index=names.opportunities, body={"ids": keys}, _source_includes=["group"]
    )
    return {
        document["_source"]["group"]
        for document in response["docs"]
        if document.get("found") and document["_source"].get("group") is not None
    }


def members_of(client, names, group_keys):
    """{group key: [(key, skills, slots, tf)]} of the open opportunities indexed, in key order."""
    found = {key: [] for key in group_keys}
    if not found:
        return found
    query = {
        "query": {"bool": {"filter": [{"terms": {"group": [str(key) for key in found]}}]}},
        "_source": ["key", "group", "skills", "slots", "tf"],
    }
    for hit in _call(
        lambda: list(helpers.scan(client, query=query, index=names.opportunities, size=1000))
    ):
        source = hit["_source"]
        if source["group"] in found:
            found[source["group"]].append(source)
    for sources in found.values():
        sources.sort(key=lambda source: source["key"])
    return found


def group_document_from_members(group, own_terms, members, vocabulary):
    """A group's document from its indexed members (the update path)."""
    terms = Counter(own_terms)
    records = []
    for source in members:
        terms.update(source["tf"])
        records.append(
            Opportunity(
                key=source["key"],
                title="",
                skills=tuple(source["skills"]),
                slots=frozenset(source["slots"]),
            )
        )
    terms = dict(terms)
    weights = weights_of(terms, vocabulary)
    return group_document(group, own_terms=own_terms, terms=terms, weights=weights, members=records)


def load_vocabulary(client, names):
    """The vocabulary of what is indexed: document frequencies of the
    opportunities' terms and the groups' own terms, as the ranking fits it."""
    body = {
        "size": 0,
        "track_total_hits": True,
        "aggs": {
            "terms": {
                "composite": {
                    "size": _VOCABULARY_PAGE,
                    "sources": [{"term": {"terms": {"field": "vocabulary"}}}],
                }
            }
        },
    }
    index = ",".join(names)
    frequencies, total = {}, None
    while True:
        response = _call(client.search, index=index, body=body)
        if total is None:
            total = response["hits"]["total"]["value"]
        aggregation = response["aggregations"]["terms"]
        for bucket in aggregation["buckets"]:
            frequencies[bucket["key"]["term"]] = bucket["doc_count"]
        if "after_key" not in aggregation or not aggregation["buckets"]:
            return Vocabulary(frequencies, total)
        body["aggs"]["terms"]["composite"]["after"] = aggregation["after_key"]
