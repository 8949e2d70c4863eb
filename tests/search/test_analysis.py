import threading

import pytest

from search import analysis


@pytest.mark.parametrize(
    "written, same_as",
    [
        ("ｶﾌｪ", "カフェ"),  # half-width katakana
        ("ＮＰＯ", "NPO"),  # full-width Latin
        ("NPO", "npo"),  # case
        ("つながる", "繋がる"),  # kana / kanji spelling (Sudachi normalised form)
        ("まちづくり", "町づくり"),
        ("コミュニティセンター", "コミュニティーセンター"),  # long vowel mark variant
    ],
)
def test_spelling_variants_give_the_same_terms(written, same_as):
    assert analysis.query_terms(written) == analysis.query_terms(same_as)


def test_compound_is_split_into_words_found_inside_it():
    assert analysis.index_text("つながる子育てカフェ").split() == ["繋がる", "子育て", "カフェ"]


def test_mixed_japanese_and_english():
    terms = analysis.terms("あそび環境museum アフタフ・バーバン in 武蔵野")
    assert "museum" in analysis.autocomplete_text("あそび環境museum").split()
    assert {"遊び", "環境", "in", "武蔵野"} <= set(terms)


def test_punctuation_and_spaces_are_not_terms():
    assert analysis.terms("「協働」・、。！？ (win-win)  ") == ["協働", "win", "win"]


def test_synonyms_find_each_other_in_both_directions():
    assert analysis.query_terms("コミセン") == ["コミセン"]
    assert "コミセン" in analysis.terms("桜堤コミュニティセンター")
    assert analysis.query_terms("お年寄り") == analysis.query_terms("高齢者")


def test_text_longer_than_sudachis_limit_is_analysed_whole():
    sentence = "市民活動の裾野の拡大と活性化を支援します。"
    text = sentence * 5000  # about 300 KB of UTF-8, Sudachi takes 49 KB at most
    tokens = analysis.tokenize(text)
    assert len(tokens) == 5000 * len(analysis.tokenize(sentence))
    last = tokens[-1]
    assert analysis.normalize(text)[last.start : last.end] == last.surface


def test_one_unbroken_run_longer_than_the_limit_is_cut_safely():
    text = "あ" * 60_000  # no sentence end to cut at
    assert "".join(token.surface for token in analysis.tokenize(text)) == text


def test_output_is_stable():
    text = "第3回 つながる子育てカフェ in 武蔵野"
    assert analysis.index_text(text) == analysis.index_text(text)
    assert analysis.index_text(text) == "第 3 回 繋がる 子育て カフェ in 武蔵野"


def test_dictionary_is_loaded_once_and_tokenizers_are_per_thread():
    analysis.terms("一回目")
    dictionary = analysis._dictionary()
    seen = []

    def work():
        seen.append((analysis._dictionary(), analysis._tokenizer(), analysis.terms("子育て")))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(d is dictionary for d, _t, _terms in seen)
    assert len({id(t) for _d, t, _terms in seen}) == 4
    assert all(terms == ["子育て"] for _d, _t, terms in seen)


def test_empty_and_odd_input():
    assert analysis.terms("") == []
    assert analysis.terms(None) == []
    assert analysis.terms("\x00\x01") == []
