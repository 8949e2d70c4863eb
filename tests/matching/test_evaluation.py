import math

import pytest

from matching.engine.evaluation import mean, ndcg_at_k, precision_at_k


def test_ndcg_hand_computed():
    # DCG = (2^3-1)/log2(2) + 0 + (2^2-1)/log2(4) = 7 + 1.5 = 8.5
    # ideal = 7 + 3/log2(3) = 8.8928…
    grades = {"a": 3, "b": 0, "c": 2}
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(0.955831, abs=1e-6)
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(8.5 / (7 + 3 / math.log2(3)))


def test_ndcg_ideal_order_is_one_and_nothing_relevant_is_zero():
    grades = {"a": 1, "b": 3, "c": 2}
    assert ndcg_at_k(["b", "c", "a", "x"], grades) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], {"x": 0}) == 0.0
    assert ndcg_at_k(["x", "y"], {}) == 0.0


def test_ndcg_counts_only_the_first_k_and_each_key_once():
    ranked = [f"filler-{n}" for n in range(10)] + ["good"]
    assert ndcg_at_k(ranked, {"good": 3}, k=10) == 0.0
    # Unranked relevant items still count in the ideal: one of two found at 1.
    assert ndcg_at_k(["a", "a", "a"], {"a": 1, "b": 1}) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_precision_hand_computed():
    grades = {"a": 1, "c": 2, "e": 0}
    ranked = ["a", "b", "c", "d", "e", "f"]
    assert precision_at_k(ranked, grades) == pytest.approx(2 / 5)
    assert precision_at_k(ranked, grades, threshold=2) == pytest.approx(1 / 5)
    assert precision_at_k(ranked, grades, k=1) == 1.0


def test_precision_counts_missing_positions_as_misses():
    assert precision_at_k(["a"], {"a": 3}, k=5) == pytest.approx(1 / 5)


def test_mean():
    assert mean([1.0, 0.5, 0.0]) == pytest.approx(0.5)
    assert mean(value for value in (2, 4)) == 3.0
    with pytest.raises(ValueError):
        mean([])
