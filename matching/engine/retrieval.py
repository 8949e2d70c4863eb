"""The matching engine on a search engine (OpenSearch; Elasticsearch speaks the same DSL).

Opportunities and groups live in two indices (indexing.py). The search
engine retrieves a hundred candidates for a profile; the in-process
engine (ranking.py) then ranks just those with the vocabulary of the whole
index, so a candidate's score and reasons are exactly the ones the in-process
engine gives it, and the results differ only if retrieval misses one.

Retrieval scores with the ranking's own formula, not BM25, in two passes.
The rescore of the first pass's best `window` is the formula itself:

- text: each document's TF-IDF weights are a `rank_features` field; a
  `rank_feature` clause per profile term, linear and boosted by the term's
  weight in the profile, sums to their cosine;
- skills: `skill_share.<slug>` is 1/number of skills asked for, so the
  clauses for the profile's skills sum to the share it has; slots alike;
- crowding: `room` is 1 − the penalty, and what is not full gets the rest
  of the full penalty (FULL_PENALTY − 1), so full ones rank below the others;
- distance: the ranking's own formula on the geo_point (a script: linear to
  1/2 at the resident's maximum, then exponential).

The first pass must let the engine skip most of the index, and a clause per
skill and slot matches most of it. It scores the full skills and slots
components where the opportunity asks only for what the resident has (a
terms query on the subsets of their skills, and of their slots, against the
whole set indexed as one term), and distance by a `distance_feature` (1 at
home, 1/2 at the maximum, like the ranking). An opportunity that fits only
in part scores less there than it should: with more opportunities than the
window, such a one can be missed; with fewer, the rescore sees them all.

What is indexed, and how, is indexing.py. Nothing here imports the page
tree: it takes records (records.py) and a client (opensearchpy).
"""

import itertools
from dataclasses import dataclass

from . import bridges
from .indexing import MEMBER_FIELDS, EngineUnavailable, _call, _location, feature, value_set
from .ranking import FULL_PENALTY, MatchingEngine
from .records import Group, Opportunity, Place, Weights
from .text import TaxonomyText, Vocabulary

# The first pass keeps the best WINDOW, the rescore the best CANDIDATES of
# those; the ranking ranks the candidates.
CANDIDATES = 100
WINDOW = 1000
# The first pass scores text by the profile's heaviest terms only: common
# words weigh little and match much of the index.
FIRST_PASS_TERMS = 5
# Above this many subsets of a resident's skills or slots, the first pass
# scores them a clause each instead (slower, as exact).
MAX_SUBSETS = 4096
_SOURCE = {
    "opportunities": [
        "key",
        "slug",
        "title",
        "group",
        "skills",
        "slots",
        "location",
        "capacity",
        "accepted",
        "pending",
        "tf",
    ],
    "groups": ["key", "slug", "title", "location", "tf"],
}


def _linear(field, boost):
    return {"rank_feature": {"field": field, "linear": {}, "boost": boost}}


def _constant(filter_, boost):
    return {"constant_score": {"filter": filter_, "boost": boost}}


def _text_clauses(query_terms, weight):
    if weight <= 0:
        return []
    return [
        _linear(f"text.{feature(term)}", weight * share)
        for term, share in sorted(query_terms.items())
        if share > 0
    ]


# The ranking's distance score (ranking.distance_score), weighted. A script
# rather than geo decay functions: those need geo_distance filters for the
# two pieces, and a filter there is worked out over the whole index, where
# the script only runs on the rescore's window.
DISTANCE_SCRIPT = """
    if (doc['location'].size() == 0) { return params.unknown; }
    double km = doc['location'].arcDistance(params.lat, params.lon) / 1000.0;
    if (km <= params.max_km) {
        return params.max_km > 0 ? params.weight * (1.0 - 0.5 * km / params.max_km) : params.weight;
    }
    return params.weight * 0.5 * Math.exp(-(km - params.max_km) / params.decay_km);
"""


def _distance_functions(place, max_km, weights):
    """The ranking's distance score, for the rescore: linear from 1 at home to
    1/2 at max_km, then 1/2·exp(−(km − max_km)/decay_km); 1/2 where unknown."""
    params = {
        "lat": place.lat,
        "lon": place.lon,
        "max_km": max_km,
        "decay_km": weights.distance_decay_km,
        "weight": weights.distance,
        "unknown": 0.5 * weights.distance,
    }
    return [{"script_score": {"script": {"source": DISTANCE_SCRIPT, "params": params}}}]


def _distance_clauses(place, max_km, weights):
    """A prunable stand-in for the distance score, for the first pass."""
    return [
        {
            "distance_feature": {
                "field": "location",
                "origin": _location(place),
                "pivot": f"{max(max_km, 0.001)}km",
                "boost": weights.distance,
            }
        },
        _constant({"term": {"unplaced": True}}, 0.5 * weights.distance),
    ]


def _body(profile, should, weights, size, window, kind, rescored=None):
    """The search body: `should` scores the first pass (with a stand-in for
    distance), `rescored` (default: the same) the rescore of its best
    `window`, with the ranking's own distance."""
    rescored = should if rescored is None else rescored
    body = {
        "size": size,
        "track_total_hits": False,
        "_source": _SOURCE[kind],
        # Every document matches, as the ranking ranks every one; scoring 0,
        # the match-all costs nothing once the window holds better ones.
        "query": {"bool": {"should": [*should, _constant({"match_all": {}}, 0.0)]}},
    }
    exact = {"bool": {"should": list(rescored)}}
    distance = profile.place is not None and weights.distance > 0
    if distance:
        body["query"]["bool"]["should"] += _distance_clauses(profile.place, profile.max_km, weights)
        exact = {
            "function_score": {
                "query": exact,
                "functions": _distance_functions(profile.place, profile.max_km, weights),
                "score_mode": "sum",
                "boost_mode": "sum",
            }
        }
    if distance or rescored != should:
        body["rescore"] = {
            "window_size": max(window, size),
            "query": {"query_weight": 0.0, "rescore_query_weight": 1.0, "rescore_query": exact},
        }
    return body


def _subsets(values):
    """Each subset of the values as indexed (value_set), or None when too many."""
    values = sorted(values)
    if 2 ** len(values) > MAX_SUBSETS:
        return None
    return [
        value_set(combination)
        for size in range(len(values) + 1)
        for combination in itertools.combinations(values, size)
    ]


def _coverage_clauses(profile, weights):
    """Skills and slots for the first pass: the full component where the
    opportunity asks only for what the resident has, as one terms query on
    the whole set; a part of it (some skills, some slots) is left to the
    rescore. These terms are few and selective, where a clause per skill and
    slot would visit most of the index, so the engine can skip what cannot
    reach the top. None when the resident named too many to list subsets of."""
    clauses = []
    skills, slots = _subsets(profile.skills), _subsets(profile.slots)
    if skills is None or slots is None:
        return None
    if weights.skills > 0:
        if not profile.skills:
            clauses.append(_no_skills_named(weights))
        else:
            if len(skills) > 1:
                clauses.append(_constant({"terms": {"skill_set": skills[1:]}}, weights.skills))
            clauses.append(_constant({"term": {"skill_count": 0}}, 0.5 * weights.skills))
    if weights.availability > 0:
        clauses.append(_constant({"terms": {"slot_set": slots}}, weights.availability))
    return clauses


def _no_skills_named(weights):
    """A resident who names no skill: 1/2 of the skills component everywhere, as the ranking."""
    return _constant({"match_all": {}}, 0.5 * weights.skills)


def _share_clauses(profile, weights):
    """Skills and slots exactly: a clause per skill and slot the resident has."""
    clauses = []
    if weights.skills > 0 and not profile.skills:
        clauses.append(_no_skills_named(weights))
    elif weights.skills > 0:
        clauses += [_linear(f"skill_share.{slug}", weights.skills) for slug in profile.skills]
        clauses.append(_constant({"term": {"skill_count": 0}}, 0.5 * weights.skills))
    if weights.availability > 0:
        clauses += [
            _linear(f"slot_share.{code}", weights.availability) for code in sorted(profile.slots)
        ]
        clauses.append(_constant({"term": {"slot_count": 0}}, weights.availability))
    return clauses


def opportunity_query(
    profile,
    query_terms,
    weights,
    *,
    size=CANDIDATES,
    window=WINDOW,
    first_pass_terms=FIRST_PASS_TERMS,
):
    """The search body retrieving `size` candidate opportunities for a profile.

    `query_terms` is the profile's TF-IDF vector by term. The first pass
    finds the best `window` by the profile's heaviest terms, full skills and
    slots, distance (a stand-in) and crowding; the rescore scores those with
    the ranking's formula.
    """
    text = _text_clauses(query_terms, weights.text)
    heaviest = sorted(text, key=lambda clause: -clause["rank_feature"]["boost"])
    crowding = []
    if weights.crowding > 0:
        crowding.append(_linear("room", weights.crowding))
    first = _coverage_clauses(profile, weights)
    exact = _share_clauses(profile, weights)
    # Full ones below every other (their room is 0 already): the penalty's
    # rest, for all that are not, in the rescore, where it costs little.
    not_full = {"bool": {"must_not": [{"term": {"full": True}}]}}
    if weights.crowding > 0:
        exact.append(_constant(not_full, (FULL_PENALTY - 1.0) * weights.crowding))
    return _body(
        profile,
        heaviest[:first_pass_terms] + (exact if first is None else first) + crowding,
        weights,
        size,
        window,
        "opportunities",
        rescored=text + exact + crowding,
    )


# A member's skills or slots component as the ranking computes it (in
# doubles, matched × (1 / asked), `unspecified` when it asks for none).
_EXACT_SHARE = {
    "skill": """
        def values = doc['members.skill_list'];
        String list = values.size() == 0 ? '' : values.value;
        if (list.isEmpty()) { return params.unspecified; }
        int matched = 0; int asked = 0;
        for (String slug : list.splitOnToken(',')) {
            asked++;
            if (params.profile.contains(slug)) { matched++; }
        }
        return matched * (1.0 / asked);
    """,
    "slot": """
        def values = doc['members.slots'];
        if (values.size() == 0) { return params.unspecified; }
        int matched = 0;
        for (String code : values) { if (params.profile.contains(code)) { matched++; } }
        return matched * (1.0 / values.size());
    """,
}


def _member_clauses(profile, weights, *, explain=False):
    """Each component as its best member's: nested, the highest member score.

    With `explain`, the best member comes back as an inner hit (the first of
    equals, as the ranking picks it), for the reasons and the exact score.
    """
    clauses = []
    parts = [
        ("skill", profile.skills, weights.skills, 0.5),
        ("slot", sorted(profile.slots), weights.availability, 1.0),
    ]
    for name, values, weight, unspecified in parts:
        if weight <= 0:
            continue
        if name == "skill" and not values:
            # A resident who names no skill: every member 1/2, as the ranking.
            inner = [_constant({"match_all": {}}, 0.5 * weight)]
        else:
            inner = [_linear(f"members.{name}_share.{value}", weight) for value in values]
            inner.append(_constant({"term": {f"members.{name}_count": 0}}, unspecified * weight))
        # Every member matches: one scoring 0 is still the group's best when all do.
        inner.append(_constant({"match_all": {}}, 0.0))
        nested = {"path": "members", "score_mode": "max", "query": {"bool": {"should": inner}}}
        if explain:
            # Sorted by the component computed exactly (the scores are rounded
            # to 9 bits), ties by place, as the ranking's argmax picks.
            exact = {
                "type": "number",
                "order": "desc",
                "script": {
                    "source": _EXACT_SHARE[name],
                    "params": {"profile": list(values), "unspecified": unspecified},
                },
            }
            nested["inner_hits"] = {
                "name": name,
                "size": 1,
                "_source": False,
                "docvalue_fields": MEMBER_FIELDS,
                "sort": [{"_script": exact}],
            }
        clauses.append({"nested": nested})
        # A group with no open opportunity is neutral: 1/2.
        clauses.append(_constant({"term": {"member_count": 0}}, 0.5 * weight))
    return clauses


def group_query(profile, query_terms, weights, *, size=CANDIDATES, window=WINDOW):
    """The search body retrieving `size` candidate groups for a profile."""
    text = _text_clauses(query_terms, weights.text)
    return _body(
        profile,
        text + _member_clauses(profile, weights, explain=True),
        weights,
        size,
        window,
        "groups",
        rescored=text + _member_clauses(profile, weights),
    )


def _place(source):
    location = source.get("location")
    return None if location is None else Place(location["lat"], location["lon"])


def opportunity_of(source):
    """An opportunity record from its indexed form (what ranking reads of it)."""
    return Opportunity(
        key=source["key"],
        slug=source.get("slug", ""),
        title=source.get("title", ""),
        skills=tuple(source.get("skills", ())),
        slots=frozenset(source.get("slots", ())),
        place=_place(source),
        capacity=source.get("capacity"),
        accepted=source.get("accepted", 0),
        pending=source.get("pending", 0),
        group_key=source.get("group"),
    )


def group_of(hit):
    """A group record and its best members (skills and slots only) from a hit.

    The members are those the inner hits name (see group_query), keyed by
    their place among the group's members, so that the ranking picks the
    same one on a tie; a group none of whose members came back has none.
    """
    source = hit["_source"]
    group = Group(
        key=source["key"],
        slug=source.get("slug", ""),
        title=source.get("title", ""),
        place=_place(source),
    )
    members = {}
    for inner in hit.get("inner_hits", {}).values():
        for member in inner["hits"]["hits"]:
            fields = member.get("fields", {})
            skill_list = (fields.get("members.skill_list") or [""])[0]
            members[member["_nested"]["offset"]] = Opportunity(
                key=(group.key, member["_nested"]["offset"]),
                title="",
                skills=tuple(slug for slug in skill_list.split(",") if slug),
                slots=frozenset(fields.get("members.slots", ())),
                group_key=group.key,
            )
    return group, list(members.values())


@dataclass
class _Analysed:
    """What MatchingEngine.of_analysed reads (see ranking.py)."""

    vocabulary: Vocabulary
    taxonomy: TaxonomyText
    opportunity_terms: dict
    group_terms: dict


class SearchEngineRanker:
    """Ranks like MatchingEngine, on candidates the search engine retrieves.

    `vocabulary` is the index's (load_vocabulary, or the Corpus's); `skills`
    the taxonomy. Read-only after construction: threads may share it.
    """

    def __init__(
        self,
        client,
        names,
        *,
        vocabulary,
        skills=(),
        weights=None,
        candidates=CANDIDATES,
        window=WINDOW,
        first_pass_terms=FIRST_PASS_TERMS,
        timeout=None,
        bridge=bridges.DEFAULT,
    ):
        self.client = client
        self.bridge = bridges.default_bridge() if bridge is bridges.DEFAULT else bridge
        if self.bridge is not None:
            self.bridge.prepare(vocabulary)
        self.names = names
        self.vocabulary = vocabulary
        self.taxonomy = TaxonomyText(skills)
        self.weights = (weights or Weights()).validate()
        self.candidates = candidates
        self.window = window
        self.first_pass_terms = first_pass_terms
        self.timeout = timeout

    def query_terms(self, profile):
        """{term: weight}: the profile's TF-IDF vector, by term, bridged as the ranking's."""
        terms = self.taxonomy.analyzer((profile.interests, *self.taxonomy.words(profile.skills)))
        weights, _bridged = bridges.expand_query(
            self.vocabulary, terms, self.bridge, weight=self.weights.bridge
        )
        return {self.vocabulary.terms[column]: weight for column, weight in weights.items()}

    def rank(self, profile, *, limit=10, kind="opportunities"):
        """The best `limit` opportunities (or groups) for a profile, as MatchingEngine.rank."""
        return self.rank_many([profile], limit=limit, kind=kind)[0]

    def rank_many(self, profiles, *, limit=10, kind="opportunities"):
        """rank() for each profile, retrieving for all of them in one request."""
        if kind not in ("opportunities", "groups"):
            raise ValueError(f"kind must be 'opportunities' or 'groups', not {kind!r}")
        if limit < 1:
            raise ValueError("limit must be at least 1")
        profiles = list(profiles)
        hits = self.retrieve_many(profiles, kind=kind, size=max(self.candidates, limit))
        return [
            self._rank_candidates(profile, found, kind, limit)
            for profile, found in zip(profiles, hits, strict=True)
        ]

    def retrieve_many(self, profiles, *, kind="opportunities", size=None):
        """The candidates' hits for each profile, best first by the engine's score."""
        size = self.candidates if size is None else size
        bodies = [self._query(profile, kind, size) for profile in profiles]
        return self._search(self._index(kind), bodies)

    def score_of(self, profile, key):
        """The Result of one opportunity for a profile, or None if it is not indexed (open)."""
        body = {
            "size": 1,
            "_source": _SOURCE["opportunities"],
            "query": {"bool": {"filter": [{"ids": {"values": [str(key)]}}]}},
        }
        (found,) = self._search(self.names.opportunities, [body])
        results = self._rank_candidates(profile, found, "opportunities", 1)
        return results[0] if results else None

    def _index(self, kind):
        return self.names.opportunities if kind == "opportunities" else self.names.groups

    def _query(self, profile, kind, size):
        terms = self.query_terms(profile)
        if kind == "opportunities":
            return opportunity_query(
                profile,
                terms,
                self.weights,
                size=size,
                window=self.window,
                first_pass_terms=self.first_pass_terms,
            )
        return group_query(profile, terms, self.weights, size=size, window=self.window)

    def _search(self, index, bodies):
        lines = []
        for body in bodies:
            lines += [{"index": index}, body]
        params = {} if self.timeout is None else {"request_timeout": self.timeout}
        response = _call(self.client.msearch, body=lines, **params)
        found = []
        for answer in response["responses"]:
            if "error" in answer:
                raise EngineUnavailable(f"search failed: {answer['error']}")
            found.append(answer["hits"]["hits"])
        return found

    def _rank_candidates(self, profile, hits, kind, limit):
        """The in-process ranking of the retrieved hits, with the index's vocabulary."""
        if kind == "opportunities":
            sources = [hit["_source"] for hit in hits]
            records = [opportunity_of(source) for source in sources]
            analysed = _Analysed(
                self.vocabulary,
                self.taxonomy,
                {record.key: source["tf"] for record, source in zip(records, sources, strict=True)},
                {},
            )
            engine = MatchingEngine.of_analysed(
                records, (), analysed, self.weights, bridge=self.bridge
            )
            return engine.rank(profile, limit=limit)
        groups, members = [], []
        for hit in hits:
            group, its_members = group_of(hit)
            groups.append(group)
            members += its_members
        analysed = _Analysed(
            self.vocabulary,
            self.taxonomy,
            {},
            {group.key: hit["_source"]["tf"] for group, hit in zip(groups, hits, strict=True)},
        )
        engine = MatchingEngine.of_analysed(
            members, groups, analysed, self.weights, bridge=self.bridge
        )
        return engine.rank(profile, limit=limit, kind="groups")
