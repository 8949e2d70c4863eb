"""The reference scorer: the engine's scores one opportunity at a time, in plain Python.

The scalar forms of the components live here too; the engine uses them at
build time (crowding) and in array form (distance). The tests and the
benchmark compare MatchingEngine.rank against score_naive.
"""

import math

from .geo import haversine_km
from .slots import validate_slots

# Without a capacity, this many unanswered suggestions count as crowded.
PENDING_CROWDED = 5

# A full opportunity cannot take anyone else: with any crowding weight it
# ranks below every opportunity that still can (scores of those are at least
# −weight), while staying listed with the reason "Already full".
FULL_PENALTY = 10.0


def crowding_penalty(opportunity):
    """FULL_PENALTY when full; otherwise 0–1: how near to full, counting unanswered suggestions."""
    if opportunity.capacity is not None:
        if opportunity.accepted >= opportunity.capacity:
            return FULL_PENALTY
        return min(1.0, (opportunity.pending + opportunity.accepted) / opportunity.capacity)
    return min(1.0, opportunity.pending / PENDING_CROWDED)


def distance_score(km, max_km, decay_km):
    """1 at home, falling linearly to 0.5 at max_km, then halving every
    decay_km·ln 2 beyond: far opportunities sink but are still ranked."""
    if km <= max_km:
        return 1.0 - 0.5 * km / max_km if max_km > 0 else 1.0
    return 0.5 * math.exp(-(km - max_km) / decay_km)


def score_naive(engine, profile):
    """{opportunity key: score} of a MatchingEngine, one opportunity at a time.

    It shares only the fitted TF-IDF vectors and the profile's (bridged)
    query with the engine (the text analysis is build-time work either way)
    and takes the cosine itself.
    """
    weights = engine._weights
    vocabulary = engine._vocabulary
    terms = engine._taxonomy.analyzer(engine._profile_document(profile))
    if engine._bridge is None:
        row = vocabulary.weigh(vocabulary.count([terms]))
        query = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
    else:
        query = engine._query(profile)[0]
    indptr = engine._documents.indptr.tolist()
    indices = engine._documents.indices.tolist()
    data = engine._documents.data.tolist()
    owned = set(profile.skills)
    free = set(validate_slots(profile.slots))
    scores = {}
    for index, item in enumerate(engine._opportunities):
        text = 0.0
        for position in range(indptr[index], indptr[index + 1]):
            text += query.get(indices[position], 0.0) * data[position]
        text = min(text, 1.0)
        if item.skills and owned:
            skills = sum(slug in owned for slug in item.skills) / len(item.skills)
        else:
            skills = 0.5
        if item.slots:
            availability = len(item.slots & free) / len(item.slots)
        else:
            availability = 1.0
        if profile.place is None or item.place is None:
            distance = 0.5
        else:
            home, there = profile.place, item.place
            km = haversine_km(home.lat, home.lon, there.lat, there.lon)
            distance = distance_score(km, profile.max_km, weights.distance_decay_km)
        scores[item.key] = (
            weights.text * text
            + weights.skills * skills
            + weights.availability * availability
            + weights.distance * distance
            - weights.crowding * crowding_penalty(item)
        )
    return scores
