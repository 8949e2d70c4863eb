"""Ranking: scores every open opportunity, or every group, for residents' profiles.

A score is a weighted sum of four components in [0, 1], less a penalty:

- text: TF-IDF cosine between the resident's words (interests, names and
  aliases of their skills) and the opportunity's (title, description, fields,
  names and aliases of the skills it asks for), analysed by search.analysis;
- skills: the share of the opportunity's required skills the resident has
  (0.5 when it asks for none);
- availability: the share of the opportunity's time slots the resident can
  attend (1.0 when it names none: flexible);
- distance: 1 at home, 0.5 at the resident's maximum, then decaying softly
  (0.5 when either place is unknown);
- crowding penalty: FULL_PENALTY when full (below every open one), otherwise
  0–1, how near to full it is counting
  suggestions not yet answered, so suggestions spread over opportunities.

The engine is built once from plain records (matching.engine.records), with
every opportunity-side quantity precomputed as arrays and sparse matrices;
ranking is then a handful of array operations over all opportunities at once
(a block of profiles as a profiles × opportunities matrix), and distance, the
costliest component, only where it can still change the top of the list.
`score_naive` computes the same scores one opportunity at a time in Python:
the reference the tests and the benchmark compare against (reference.py,
with the components' scalar forms). Reasons are reasons.py; the text
analysis and TF-IDF text.py; bridges between words that differ but mean
the same bridges.py.
"""

from dataclasses import dataclass
from operator import attrgetter

import numpy as np
from scipy import sparse

from . import bridges, reference
from .geo import PointSet
from .reasons import Reasons
from .records import Result, Weights
from .reference import FULL_PENALTY, crowding_penalty, distance_score
from .slots import slot_mask
from .text import (
    JapaneseAnalyzer,
    TaxonomyText,
    Vocabulary,
    content_terms,
    phrases_of,
    quoted_words,
    skill_words,
)

# Re-exported: the text analysis and the scalar components used to live here.
__all__ = [
    "FULL_PENALTY",
    "MatchingEngine",
    "content_terms",
    "crowding_penalty",
    "distance_score",
    "phrases_of",
    "quoted_words",
]

# Weights is frozen, so one shared default is safe.
DEFAULT_WEIGHTS = Weights()
KINDS = ("opportunities", "groups")
# Profiles scored together by rank_many. The work per profile is a few passes
# over opportunity-long arrays, bound by memory bandwidth, so batching gains
# little; what matters is that a block's arrays (BLOCK × opportunities
# float64, 6 MB at 100,000) stay in the CPU cache between passes. Measured on
# 100,000 opportunities: 1 and 8 alike, 16 and 32 a third slower.
BLOCK = 8


def _distance_scores(km, max_km, decay_km):
    """distance_score over a (profiles × places) array; max_km has one value per profile."""
    max_km = max_km[:, np.newaxis]
    excess = km - max_km
    # Clipped at 0 so exp never overflows where the near formula applies anyway.
    far = np.maximum(excess, 0.0)
    far *= -1.0 / decay_km
    np.exp(far, out=far)
    far *= 0.5
    near = km * (-0.5 / np.maximum(max_km, 1e-12))
    near += 1.0
    return np.where(excess <= 0, near, far)


# -- the engine ---------------------------------------------------------------


class _Places:
    """Where a list of opportunities or groups are, with the unknown ones marked."""

    def __init__(self, places):
        places = list(places)
        self.missing = np.array([place is None for place in places], dtype=bool)
        self.points = PointSet(
            [0.0 if place is None else place.lat for place in places],
            [0.0 if place is None else place.lon for place in places],
        )
        self.any_known = not self.missing.all() if places else False

    def scores_of(self, block, row, indexes, decay_km):
        """Distance components from one profile's home to the places at `indexes`."""
        if not block.has_place[row] or not self.any_known:
            return np.full(len(indexes), 0.5)
        km = self.points.distances_km(block.lat[row], block.lon[row], indexes)
        scores = _distance_scores(km[np.newaxis], block.max_km[row : row + 1], decay_km)[0]
        missing = self.missing[indexes]
        if missing.any():
            scores[missing] = 0.5
        return scores


@dataclass
class _Block:
    """A block of profiles as arrays: what the vectorised components read."""

    profiles: list
    queries: list  # per profile, {term column: TF-IDF weight} of its words
    bridged: list  # per profile, {term column: bridges.Bridged} reached by a bridge
    skills: list  # per profile, the indexes of its known skills
    slot_masks: np.ndarray
    has_place: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    max_km: np.ndarray

    @property
    def size(self):
        return len(self.profiles)


class MatchingEngine:
    """Ranks open opportunities and groups for residents' profiles, with reasons.

    Build it with MatchingEngine.build() whenever opportunities change; it is
    read-only afterwards, so one engine can serve many threads.
    """

    @classmethod
    def build(
        cls, opportunities, groups=(), skills=(), weights=DEFAULT_WEIGHTS, bridge=bridges.DEFAULT
    ):
        """An engine over the open opportunities and the groups.

        `skills` is the taxonomy (names and aliases make the text of skill
        slugs); `bridge` joins words that differ but mean the same
        (bridges.py; None for none, by default the site's). Raises ValueError
        for duplicate keys, unknown slot codes or invalid weights.
        """
        return cls(opportunities, groups, skills, weights, bridge=bridge)

    @classmethod
    def of_analysed(
        cls, opportunities, groups, analysed, weights=DEFAULT_WEIGHTS, bridge=bridges.DEFAULT
    ):
        """An engine over records whose text was analysed beforehand.

        `analysed` (AnalysedText) holds the vocabulary of a larger corpus
        and each record's term counts: the search-engine path ranks the
        candidates it retrieved with the IDF of every opportunity, so their
        scores are the ones the in-process engine gives them.
        """
        return cls(
            opportunities,
            groups,
            analysed.taxonomy.skills.values(),
            weights,
            analysed,
            bridge=bridge,
        )

    def __init__(
        self,
        opportunities,
        groups=(),
        skills=(),
        weights=DEFAULT_WEIGHTS,
        analysed=None,
        *,
        bridge=bridges.DEFAULT,
    ):
        self._weights = weights.validate()
        self._bridge = bridges.default_bridge() if bridge is bridges.DEFAULT else bridge
        opportunities = list(opportunities)
        groups = sorted(groups, key=attrgetter("key"))
        _check_unique("opportunity", opportunities)
        _check_unique("group", groups)
        # Sorted by key, so an index order is a key order: ties break by key.
        self._opportunities = tuple(
            sorted((item for item in opportunities if item.is_open), key=attrgetter("key"))
        )
        self._groups = tuple(groups)
        skills = {skill.slug: skill for skill in skills}
        opportunities = self._opportunities

        slugs = sorted(set(skills).union(*(item.skills for item in opportunities)))
        self._skill_index = {slug: index for index, slug in enumerate(slugs)}
        rows = [self._skill_index[slug] for item in opportunities for slug in item.skills]
        columns = [index for index, item in enumerate(opportunities) for _slug in item.skills]
        self._skills_t = sparse.csr_array(
            (np.ones(len(rows)), (rows, columns)), shape=(len(slugs), len(opportunities))
        )
        # coverage = matches × 1/required, + 0.5 where nothing is required.
        required = np.array([len(item.skills) for item in opportunities], dtype=float)
        self._inverse_required = np.divide(
            1.0, required, out=np.zeros_like(required), where=required > 0
        )
        self._no_skills_required = np.where(required > 0, 0.0, 0.5)

        masks = []
        for item in opportunities:
            try:
                masks.append(slot_mask(item.slots))
            except ValueError as error:
                raise ValueError(f"opportunity {item.key!r}: {error}") from None
        self._slot_masks = np.array(masks, dtype=np.uint32)
        # availability = overlap × 1/slots, + 1 where the opportunity names none.
        slot_counts = np.bitwise_count(self._slot_masks).astype(float)
        self._inverse_slots = np.divide(
            1.0, slot_counts, out=np.zeros_like(slot_counts), where=slot_counts > 0
        )
        self._flexible = np.where(slot_counts > 0, 0.0, 1.0)
        self._places = _Places(item.place for item in opportunities)
        self._penalty = np.array([crowding_penalty(item) for item in opportunities], dtype=float)

        group_index = {group.key: index for index, group in enumerate(groups)}
        members = [[] for _group in groups]
        for index, item in enumerate(opportunities):
            if item.group_key in group_index:
                members[group_index[item.group_key]].append(index)
        self._members = tuple(np.array(indexes, dtype=np.intp) for indexes in members)
        self._grouped_order = np.array(
            [index for indexes in members for index in indexes], dtype=np.intp
        )
        with_members = [position for position, indexes in enumerate(members) if indexes]
        self._groups_with_members = np.array(with_members, dtype=np.intp)
        sizes = [len(members[position]) for position in with_members]
        self._member_starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
        self._group_places = _Places(group.place for group in groups)

        if analysed is None:
            self._fit_text(skills)
        else:
            self._use_text(analysed)

    def _fit_text(self, skills):
        """TF-IDF of the records' own texts (Sudachi runs here)."""
        analyzer = JapaneseAnalyzer()
        # The skills' words are part of an opportunity's text; the taxonomy's
        # analyser is this one once it stops learning (below).
        texts = [_document(item, skills) for item in self._opportunities]
        texts += [(group.title, group.description, *group.fields) for group in self._groups]
        # The vocabulary and IDF come from opportunities and the groups' own
        # texts; counting a group's copy of its opportunities' text as well
        # would make every word of a busy group look commoner than it is.
        vocabulary, counts = Vocabulary.fit(analyzer(text) for text in texts)
        count = len(self._opportunities)
        opportunity_counts = sparse.csr_array(counts[:count])
        # A group's document is its own text and its open opportunities'.
        group_counts = sparse.csr_array(counts[count:]) + self._membership() @ opportunity_counts
        self._taxonomy = TaxonomyText(skills.values(), analyzer)
        self._set_text(vocabulary, opportunity_counts, group_counts)

    def _use_text(self, analysed):
        vocabulary = analysed.vocabulary
        self._taxonomy = analysed.taxonomy
        self._set_text(
            vocabulary,
            vocabulary.count_maps(
                analysed.opportunity_terms.get(item.key, {}) for item in self._opportunities
            ),
            vocabulary.count_maps(analysed.group_terms.get(key, {}) for key in self._group_keys()),
        )

    def _set_text(self, vocabulary, opportunity_counts, group_counts):
        self._vocabulary = vocabulary
        if self._bridge is not None:
            self._bridge.prepare(vocabulary)
        self._documents = vocabulary.weigh(opportunity_counts)
        self._documents_t = sparse.csr_array(self._documents.T)
        self._group_documents = vocabulary.weigh(group_counts)
        self._group_documents_t = sparse.csr_array(self._group_documents.T)

    def _group_keys(self):
        return [group.key for group in self._groups]

    def _membership(self):
        """(groups × opportunities) ones where an opportunity is the group's."""
        rows = np.repeat(np.arange(len(self._groups)), [len(m) for m in self._members])
        columns = np.concatenate([*self._members, np.zeros(0, dtype=np.intp)])
        return sparse.csr_array(
            (np.ones(len(rows)), (rows, columns)),
            shape=(len(self._groups), len(self._opportunities)),
        )

    # -- properties -------------------------------------------------------------

    @property
    def weights(self):
        """The Weights the engine scores with."""
        return self._weights

    @property
    def opportunity_count(self):
        """How many open opportunities the engine ranks."""
        return len(self._opportunities)

    @property
    def group_count(self):
        """How many groups the engine ranks."""
        return len(self._groups)

    # -- ranking ----------------------------------------------------------------

    def rank(self, profile, *, limit=10, kind="opportunities"):
        """The best `limit` open opportunities (or groups) for a profile, best first.

        `kind` is "opportunities" or "groups". Equal scores are ordered by key.
        """
        return self.rank_many([profile], limit=limit, kind=kind)[0]

    def rank_many(self, profiles, *, limit=10, kind="opportunities"):
        """rank() for each profile, in order, scoring blocks of profiles at once."""
        if kind not in KINDS:
            raise ValueError(f"kind must be 'opportunities' or 'groups', not {kind!r}")
        if limit < 1:
            raise ValueError("limit must be at least 1")
        profiles = list(profiles)
        ranked = []
        for start in range(0, len(profiles), BLOCK):
            block = self._encode(profiles[start : start + BLOCK])
            if kind == "opportunities":
                ranked.extend(self._rank_opportunities(block, limit))
            else:
                ranked.extend(self._rank_groups(block, limit))
        return ranked

    def score_naive(self, profile):
        """{opportunity key: score}, computed one opportunity at a time in plain Python.

        The reference for rank() (reference.score_naive): the same scores,
        for tests and the benchmark.
        """
        return reference.score_naive(self, profile)

    # -- the vectorised components ------------------------------------------------

    def _encode(self, profiles):
        queries = [self._query(profile) for profile in profiles]
        return _Block(
            profiles=profiles,
            queries=[query for query, _bridged in queries],
            bridged=[bridged for _query, bridged in queries],
            # Unknown slugs are ignored: the Django layer validates them.
            skills=[
                [self._skill_index[slug] for slug in p.skills if slug in self._skill_index]
                for p in profiles
            ],
            slot_masks=np.array([slot_mask(p.slots) for p in profiles], dtype=np.uint32),
            has_place=np.array([p.place is not None for p in profiles], dtype=bool),
            lat=np.array([p.place.lat if p.place else 0.0 for p in profiles], dtype=float),
            lon=np.array([p.place.lon if p.place else 0.0 for p in profiles], dtype=float),
            max_km=np.array([p.max_km for p in profiles], dtype=float),
        )

    def _skill_coverage(self, block):
        count = self.opportunity_count
        coverage = np.empty((block.size, count))
        indptr, indices = self._skills_t.indptr, self._skills_t.indices
        for row, skills in enumerate(block.skills):
            # Each opportunity that asks for one of the profile's skills, once per skill.
            asking = [indices[indptr[skill] : indptr[skill + 1]] for skill in skills]
            matches = np.bincount(np.concatenate(asking or [indices[:0]]), minlength=count)
            np.multiply(matches, self._inverse_required, out=coverage[row])
            coverage[row] += self._no_skills_required
            if not block.profiles[row].skills:
                # A resident who names no skill says nothing about skills:
                # every opportunity is as good (or as bad) a fit, rather than
                # those that ask for none ranking above the rest.
                coverage[row] = 0.5
        return coverage

    def _availability(self, block):
        overlap = np.bitwise_count(block.slot_masks[:, np.newaxis] & self._slot_masks)
        availability = overlap * self._inverse_slots
        availability += self._flexible
        return availability

    def _query(self, profile):
        """({term column: weight}, {term column: Bridged}): the profile's words
        as a TF-IDF unit vector, with the terms its bridge reached."""
        terms = self._taxonomy.analyzer(self._profile_document(profile))
        return bridges.expand_query(
            self._vocabulary, terms, self._bridge, weight=self._weights.bridge
        )

    @staticmethod
    def _text(block, documents_t):
        count = documents_t.shape[1]
        indptr, indices, data = documents_t.indptr, documents_t.indices, documents_t.data
        text = np.zeros((block.size, count))
        for row, query in enumerate(block.queries):
            if not query:
                continue
            # Each document that holds a query term gets that term's product.
            spans = [(indptr[term], indptr[term + 1], weight) for term, weight in query.items()]
            text[row] = np.bincount(
                np.concatenate([indices[start:end] for start, end, _weight in spans]),
                weights=np.concatenate([data[start:end] * weight for start, end, weight in spans]),
                minlength=count,
            )
        # Cosines of non-negative unit vectors; rounding can pass 1 by an ulp.
        return np.minimum(text, 1.0, out=text)

    def _without_distance(self, components, penalty=None):
        """The score less its distance term, for all of a block at once."""
        weights = self._weights
        partial = weights.text * components["text"]
        partial += weights.skills * components["skills"]
        partial += weights.availability * components["availability"]
        if penalty is not None:
            partial -= weights.crowding * penalty
        return partial

    def _top(self, partial, places, block, row, limit):
        """(indexes, scores, distance components) of one profile's best `limit`.

        Distance, the costliest component, is only computed where it can
        still matter: it adds between 0 and its weight, so anything whose
        score without it is below the limit-th best such score by more than
        the weight cannot reach the top. The result is the same as scoring
        everything (score_naive agrees), at a fraction of the work.
        """
        weight, count = self._weights.distance, partial.size
        if limit < count:
            threshold = np.partition(partial, count - limit)[count - limit]
            # The slack covers rounding in threshold − weight.
            candidates = np.flatnonzero(partial >= threshold - weight - 1e-9)
        else:
            candidates = np.arange(count)
        distance = places.scores_of(block, row, candidates, self._weights.distance_decay_km)
        scores = partial[candidates] + weight * distance
        best = _best(scores, limit)
        return candidates[best].tolist(), scores[best].tolist(), distance[best].tolist()

    def _rank_opportunities(self, block, limit):
        components = {
            "text": self._text(block, self._documents_t),
            "skills": self._skill_coverage(block),
            "availability": self._availability(block),
        }
        partial = self._without_distance(components, self._penalty)
        ranked = []
        for row, profile in enumerate(block.profiles):
            reasons = Reasons(self, profile, block.queries[row], block.bridged[row])
            results = []
            top = self._top(partial[row], self._places, block, row, limit)
            for index, score, distance in zip(*top, strict=True):
                item = self._opportunities[index]
                values = {name: float(values[row, index]) for name, values in components.items()}
                values["distance"] = distance
                values["crowding"] = float(self._penalty[index])
                results.append(
                    Result(
                        kind="opportunity",
                        key=item.key,
                        title=item.title,
                        score=score,
                        reasons=reasons.for_opportunity(index),
                        components=values,
                        slug=item.slug,
                    )
                )
            ranked.append(results)
        return ranked

    def _rank_groups(self, block, limit):
        group_count = len(self._groups)
        skills = self._skill_coverage(block)
        availability = self._availability(block)
        components = {
            "text": self._text(block, self._group_documents_t),
            # A group is as good as the best fit among its open opportunities.
            "skills": self._best_of_members(skills, group_count),
            "availability": self._best_of_members(availability, group_count),
        }
        partial = self._without_distance(components)
        ranked = []
        for row, profile in enumerate(block.profiles):
            reasons = Reasons(self, profile, block.queries[row], block.bridged[row])
            results = []
            top = self._top(partial[row], self._group_places, block, row, limit)
            for position, score, distance in zip(*top, strict=True):
                group = self._groups[position]
                values = {name: float(values[row, position]) for name, values in components.items()}
                values["distance"] = distance
                values["crowding"] = 0.0
                results.append(
                    Result(
                        kind="group",
                        key=group.key,
                        title=group.title,
                        score=score,
                        reasons=reasons.for_group(position, skills[row], availability[row]),
                        components=values,
                        slug=group.slug,
                    )
                )
            ranked.append(results)
        return ranked

    def _best_of_members(self, values, group_count):
        best = np.full((values.shape[0], group_count), 0.5)
        if self._groups_with_members.size:
            best[:, self._groups_with_members] = np.maximum.reduceat(
                values[:, self._grouped_order], self._member_starts, axis=1
            )
        return best

    # -- texts ------------------------------------------------------------------

    def _profile_document(self, profile):
        return (profile.interests, *self._taxonomy.words(profile.skills))


def _document(opportunity, skills):
    """The texts of an opportunity ({slug: Skill} gives its skills' words)."""
    return (
        opportunity.title,
        opportunity.description,
        *opportunity.fields,
        *skill_words(skills, opportunity.skills),
    )


def _best(scores, limit):
    """Indexes of the `limit` highest scores, best first, ties by index (= by key)."""
    count = scores.size
    if limit < count:
        threshold = np.partition(scores, count - limit)[count - limit]
        candidates = np.flatnonzero(scores >= threshold)
    else:
        candidates = np.arange(count)
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order[:limit]].tolist()


def _check_unique(kind, records):
    seen = set()
    for record in records:
        if record.key in seen:
            raise ValueError(f"duplicate {kind} key {record.key!r}")
        seen.add(record.key)
