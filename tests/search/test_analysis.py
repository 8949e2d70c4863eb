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
    assert analysis.terms("つながる子育てカフェ") == ["繋がる", "子育て", "カフェ"]
    assert analysis.index_text("つながる子育てカフェ").split()[:3] == ["繋がる", "子育て", "カフェ"]


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
    assert analysis.index_text(text) == (
        "第 3 回 繋がる 子育て カフェ in 武蔵野"
        " ダイ カイ ツナガル コソダテ カフエ コソダテカフエ ムサシノ"
    )


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


@pytest.mark.parametrize(
    "typed, key",
    [
        ("こうざ", "コウザ"),  # hiragana as katakana
        ("ねっとわーく", "ネツトワク"),  # no long-vowel marks; small ッ as large
        ("ネットワーク", "ネツトワク"),
        ("ぼらんてぃあ", "ボランテイア"),  # small ぃ as large
        ("まちずくり", "マチズクリ"),  # ず and づ are the same sound
        ("ﾏﾁﾂﾞｸﾘ", "マチズクリ"),  # half-width, NFKC first
    ],
)
def test_readings_fold_the_ways_people_type_a_sound(typed, key):
    assert analysis.reading_key(typed) == key


def test_index_text_carries_readings_after_the_terms():
    found = analysis.index_text("吉祥寺北町の講座").split()
    assert found[:4] == ["吉祥寺", "北町", "の", "講座"]
    # Each word's reading, and the place name's as one word.
    assert {"キチジヨウジ", "キタマチ", "キチジヨウジキタマチ", "コウザ"} <= set(found[4:])
    assert "ノ" not in found  # particles have no reading worth matching


def test_a_kana_word_is_one_unit_read_as_a_whole():
    (unit,) = analysis.query_units("ぷろじぇくと")
    assert unit.reading == ("プロジエクト",)


def test_a_kanji_word_can_also_be_found_by_its_reading():
    units = analysis.query_units("防災講座")
    assert [(unit.terms, unit.reading) for unit in units] == [
        (("防災",), ("ボウサイ",)),
        (("講座",), ("コウザ",)),
    ]


def test_latin_words_and_numbers_get_no_reading():
    assert all(not unit.reading for unit in analysis.query_units("NPO 2026"))


@pytest.mark.parametrize(
    "query, words",
    [
        ("防災 講座", ["防災", "講座"]),
        ("防災講座", ["防災", "講座"]),
        ("お年寄りの見守り", ["お年寄り", "見", "守り"]),
        ("ねっとわーく", ["ねっとわーく"]),
    ],
)
def test_query_words_are_what_a_resident_typed(query, words):
    assert analysis.query_words(query) == words


def test_a_conjugated_word_is_also_found_by_its_dictionary_form_read():
    readings = analysis.index_text("協働を学んで").split()
    assert "マナブ" in readings  # まなぶ finds 学んで, as 学ぶ does
    assert "マナン" in readings  # and まなん, as typed


def test_a_kana_word_read_as_a_synonym_stands_for_the_synonym_too():
    (unit,) = analysis.query_units("しにあ")
    assert unit.synonym == ("高齢者",)  # シニア = 高齢者 = お年寄り in synonyms.txt
    (unit,) = analysis.query_units("こうれいしゃ")
    assert unit.alternatives[-1] == ("高齢者",)
