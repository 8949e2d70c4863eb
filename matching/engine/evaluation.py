"""Ranking quality on labelled cases: NDCG and precision, as in IR evaluation.

Grades are a coordinator's judgments of how well an opportunity suits a
profile: 0 not at all, 1 acceptable, 2 good, 3 excellent. Keys without a
grade count as 0.
"""

import math


def _distinct(ranked_keys, k):
    """The first k distinct keys: a key ranked twice earns its gain once."""
    seen = []
    for key in ranked_keys:
        if key not in seen:
            seen.append(key)
            if len(seen) == k:
                break
    return seen


def _dcg(grades):
    return sum((2**grade - 1) / math.log2(position + 2) for position, grade in enumerate(grades))


def ndcg_at_k(ranked_keys, grades, k=10):
    """Normalised discounted cumulative gain of the first k keys.

    Gain 2^grade − 1, discount log2(position + 1) with positions from 1; the
    ideal is the k highest grades in order. 0.0 when nothing is relevant.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    ideal = _dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return _dcg([grades.get(key, 0) for key in _distinct(ranked_keys, k)]) / ideal


def precision_at_k(ranked_keys, grades, k=5, threshold=1):
    """Share of the first k positions holding a key graded `threshold` or more.

    Positions left empty (fewer than k results) count as misses.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    hits = sum(grades.get(key, 0) >= threshold for key in _distinct(ranked_keys, k))
    return hits / k


def mean(values):
    """Arithmetic mean; ValueError for no values rather than a misleading 0."""
    values = list(values)
    if not values:
        raise ValueError("mean of no values")
    return math.fsum(values) / len(values)
