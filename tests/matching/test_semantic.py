"""Meaning in matching: bridges between a resident's words and a listing's."""

import msgpack
import numpy as np
import pytest

from django.utils import translation

from matching.engine import MatchingEngine, Opportunity, Profile, Weights
from matching.engine.bridges import WordVectors, default_bridge, spacy_key
from matching.evaluation_io import load_evaluation_set, ndcg_by_half

EVALUATION_SET = "matching/samples/evaluation"
SMARTPHONE_CLASS = Opportunity(
    key="a-smartphone",
    title="シニア向けスマートフォン教室の講師補助",
    description="受講者の隣で操作をお手伝いします。",
)
PARK = Opportunity(key="b-park", title="公園の清掃", description="落ち葉を掃き集めます。")
RESIDENT = Profile(key="resident", interests="デジタル機器が苦手な人を手伝いたい")


@pytest.fixture(scope="module")
def vectors(tmp_path_factory):
    """A vocab directory in spaCy's layout with three hand-made vectors:
    デジタル and スマートフォン close (cosine 0.8), 公園 apart from both."""
    directory = tmp_path_factory.mktemp("vocab")
    rows = np.array([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    with open(directory / "vectors", "wb") as file:
        np.save(file, rows)
    keys = {spacy_key(word): row for row, word in enumerate(["デジタル", "スマートフォン", "公園"])}
    (directory / "key2row").write_bytes(msgpack.packb(keys))
    return WordVectors(directory, threshold=0.6)


def test_a_bridge_finds_the_listing_in_other_words_and_says_why(vectors):
    without = MatchingEngine.build([PARK, SMARTPHONE_CLASS], bridge=None)
    assert without.rank(RESIDENT)[0].components["text"] == 0.0
    engine = MatchingEngine.build([PARK, SMARTPHONE_CLASS], bridge=vectors)
    with translation.override("en"):
        best = engine.rank(RESIDENT)[0]
    assert best.key == "a-smartphone"
    assert best.components["text"] > 0
    assert "“デジタル” and “スマートフォン” are close in meaning" in best.reasons


def test_the_resident_s_own_words_weigh_more_than_the_bridged_ones(vectors):
    said = Opportunity(key="a-digital", title="デジタル機器の相談会", description="")
    engine = MatchingEngine.build([SMARTPHONE_CLASS, said], bridge=vectors)
    ranked = engine.rank(RESIDENT)
    assert [r.key for r in ranked] == ["a-digital", "a-smartphone"]
    assert not any("close in meaning" in reason for reason in ranked[0].reasons)


def test_bridged_scores_are_the_naive_loop_s(vectors):
    engine = MatchingEngine.build([PARK, SMARTPHONE_CLASS], bridge=vectors, weights=Weights())
    naive = engine.score_naive(RESIDENT)
    for result in engine.rank(RESIDENT):
        assert result.score == pytest.approx(naive[result.key])


def test_ja_ginza_s_vectors_load_and_know_residents_words():
    bridge = default_bridge()
    assert isinstance(bridge, WordVectors), "ja-ginza is installed (make install)"
    assert all(bridge.row_of(word) is not None for word in ("スマホ", "通訳", "料理", "調理"))
    assert bridge.row_of("ないないない語") is None


def test_residents_in_their_own_words_held_out_ndcg():
    """The README's table: the bridge helps on residents it was not tuned on."""
    evaluation = load_evaluation_set(EVALUATION_SET)
    records = (evaluation.opportunities, evaluation.groups, evaluation.skills)
    plain = ndcg_by_half(evaluation, MatchingEngine.build(*records, bridge=None))
    bridged = ndcg_by_half(evaluation, MatchingEngine.build(*records))
    assert bridged["held-out"] >= 0.86
    assert bridged["held-out"] > plain["held-out"] + 0.02
    assert bridged["tuning"] > plain["tuning"]


def test_the_evaluation_set_is_split_by_resident_in_two_fixed_halves():
    evaluation = load_evaluation_set(EVALUATION_SET)
    assert len(evaluation.opportunities) >= 60
    tuning, held_out = evaluation.half("tuning"), evaluation.half("held-out")
    assert len(tuning) + len(held_out) == len(evaluation.profiles) >= 40
    assert abs(len(tuning) - len(held_out)) <= 1
    assert all(evaluation.judgments[pid] for pid in evaluation.profiles)
