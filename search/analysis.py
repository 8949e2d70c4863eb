"""Japanese text analysis: the one place text becomes search terms.

Search indexes and queries go through here, and the matching engine uses the
same terms, so a resident's wording meets the site's wording the same way
everywhere:

- Unicode NFKC first, so half-width ｶﾌｪ is カフェ and full-width ＮＰＯ is NPO;
- morphological analysis with SudachiPy and its core dictionary (split mode A,
  the shortest units, so 子育て matches inside つながる子育てカフェ);
- Sudachi's normalised forms, so つながる = 繋がる and まちづくり = 町作り;
- a small synonym table (synonyms.txt) for abbreviations the dictionary does
  not know, e.g. コミセン = コミュニティーセンター;
- lower case for Latin letters; punctuation and spaces dropped;
- readings (Sudachi's reading forms, folded: katakana, small kana as large,
  no long-vowel marks), added after the terms, so こうざ finds 講座 and
  ねっとわーく finds ネットワーク (see `reading_key`).

The dictionary is loaded once per process; each thread gets its own
tokenizer because Sudachi tokenizers are not thread-safe.
"""

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jaconv
from sudachipy import Dictionary, SplitMode

# Sudachi rejects input over 49,149 bytes; stay well under it.
MAX_CHUNK_BYTES = 40_000
# Where a long text may be cut: after a sentence end or a line break.
_BREAK = re.compile(r"(?<=[。．！？!?\n])")
_SKIPPED_POS = {"補助記号", "空白"}
SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.txt"

_local = threading.local()


@functools.cache
def _dictionary():
    return Dictionary(dict="core")


def _tokenizer():
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        # Mode C: the longest units (吉祥寺北町), each split into mode A's
        # shortest (吉祥寺, 北町) for the terms; Sudachi finds one path for
        # both, so the terms are exactly mode A's.
        tokenizer = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return tokenizer


@functools.cache
def synonym_table():
    """{normalised term: canonical term} from synonyms.txt (one group a line)."""
    table = {}
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        group = [normalize_term(word) for word in line.split(",") if word.strip()]
        for word in group:
            table[word] = group[0]
    return table


def normalize(text):
    """NFKC with Latin letters in lower case: the form every term is kept in."""
    return unicodedata.normalize("NFKC", text or "").lower()


def normalize_term(word):
    """A dictionary word in the form analysis produces for it."""
    terms = [token.term for token in tokenize(word.strip())]
    return "".join(terms) if len(terms) != 1 else terms[0]


@dataclass(frozen=True, slots=True)
class Token:
    surface: str  # as written (after NFKC), for prefixes and highlighting
    term: str  # Sudachi's normalised form: what index and query compare
    start: int  # offsets into the NFKC text
    end: int
    reading: str = ""  # reading_key() of a word that has one worth matching, else ""
    pos: str = ""  # Sudachi's part of speech, first level (名詞, 動詞…)
    # A conjugated word's dictionary form, read (学び, 学んで: マナブ), else "".
    lemma_reading: str = ""


@dataclass(frozen=True, slots=True)
class Word:
    """One of Sudachi's longest units (mode C) and the mode A tokens it holds."""

    tokens: tuple
    reading: str  # reading_key() of the whole unit, or ""
    noun: bool


# Kana that people write one way or the other for the same word: small kana
# (フィ/フイ; phones and older keyboards), ヂ/ヅ for ジ/ズ (まちづくり/まちずくり),
# ヰ/ヱ and ヴ; long-vowel marks are dropped (ネットワーク/ネットワク).
_KANA_FOLD = str.maketrans(
    "ァィゥェォッャュョヮヵヶヂヅヰヱヴ", "アイウエオツヤユヨワカケジズイエブ", "ー"
)
_KATAKANA = re.compile(r"[ァ-ヺ]+")
_KANA_WORD = re.compile(r"[ぁ-ゖァ-ヺー]+")
# Words whose reading helps a search: not grammar, symbols or numbers.
_READING_POS = {"名詞", "代名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "連体詞"}
# One kana of reading matches far too much (子, 個, 小 are all コ).
MIN_READING_LENGTH = 2


def reading_key(kana):
    """A reading in the one form index and queries compare: こーひー → コヒ."""
    return jaconv.hira2kata(normalize(kana)).translate(_KANA_FOLD)


def is_kana(text):
    """True for text written only in hiragana, katakana and long-vowel marks."""
    return bool(_KANA_WORD.fullmatch(text))


# Words that conjugate: 学び, 学んで and 学ぶ are one word, read マナブ.
_CONJUGATING_POS = {"動詞", "形容詞"}


def _reading_of(morpheme):
    pos = morpheme.part_of_speech()
    # Latin words are typed as written, not in kana.
    if pos[0] not in _READING_POS or pos[1] == "数詞" or morpheme.surface().isascii():
        return ""
    return _worth_matching(reading_key(morpheme.reading_form()))


def _lemma_reading_of(morpheme):
    pos = morpheme.part_of_speech()
    if pos[0] not in _CONJUGATING_POS or morpheme.dictionary_form() == morpheme.surface():
        return ""
    return _worth_matching(_dictionary_form_reading(morpheme.dictionary_form()))


def _worth_matching(key):
    if len(key) < MIN_READING_LENGTH or not _KATAKANA.fullmatch(key):
        return ""
    return key


@functools.lru_cache(maxsize=20_000)
def _dictionary_form_reading(word):
    """The reading key of a word's dictionary form (学ぶ: マナブ), "" if it is not one word."""
    units = _tokenizer().tokenize(word)
    return reading_key(units[0].reading_form()) if len(units) == 1 else ""


@functools.cache
def synonym_readings():
    """{reading key: canonical term} for synonyms.txt, so しにあ finds what シニア finds."""
    table = {}
    for word, canonical in synonym_table().items():
        if word.isascii():
            continue
        key = reading_key("".join(unit.reading_form() for unit in _tokenizer().tokenize(word)))
        if len(key) >= MIN_READING_LENGTH and _KATAKANA.fullmatch(key):
            table.setdefault(key, canonical)
    return table


def _chunks(text):
    """Pieces of `text` under Sudachi's input limit, cut at sentence ends."""
    if len(text.encode("utf-8")) <= MAX_CHUNK_BYTES:
        yield 0, text
        return
    offset, current, size = 0, [], 0
    for piece in _BREAK.split(text):
        piece_size = len(piece.encode("utf-8"))
        if current and size + piece_size > MAX_CHUNK_BYTES:
            chunk = "".join(current)
            yield offset, chunk
            offset += len(chunk)
            current, size = [], 0
        # A single sentence over the limit is cut by characters.
        while len(piece.encode("utf-8")) > MAX_CHUNK_BYTES:
            cut = MAX_CHUNK_BYTES // 4
            yield offset, piece[:cut]
            offset += cut
            piece = piece[cut:]
        current.append(piece)
        size += len(piece.encode("utf-8"))
    if current:
        yield offset, "".join(current)


def words(text):
    """Sudachi's longest units of `text` (NFKC), punctuation and spaces dropped."""
    text = normalize(text)
    found = []
    tokenizer = _tokenizer()
    for offset, chunk in _chunks(text):
        for unit in tokenizer.tokenize(chunk):
            if unit.part_of_speech()[0] in _SKIPPED_POS or not unit.surface().strip():
                continue
            parts = unit.split(SplitMode.A)
            tokens = tuple(
                Token(
                    surface=morpheme.surface(),
                    term=normalize(morpheme.normalized_form()),
                    start=offset + morpheme.begin(),
                    end=offset + morpheme.end(),
                    reading=_reading_of(morpheme),
                    pos=morpheme.part_of_speech()[0],
                    lemma_reading=_lemma_reading_of(morpheme),
                )
                for morpheme in (parts if len(parts) else [unit])
                if morpheme.surface().strip()
            )
            if tokens:
                found.append(
                    Word(
                        tokens=tokens,
                        reading=_reading_of(unit),
                        noun=unit.part_of_speech()[0] in ("名詞", "接尾辞"),
                    )
                )
    return found


def part_of_speech(word):
    """Sudachi's part of speech (a tuple of six) of `word` if it is one shortest word, else None."""
    units = _tokenizer().tokenize(word)
    parts = [
        part
        for unit in units
        for part in (unit.split(SplitMode.A) if len(unit.split(SplitMode.A)) else [unit])
    ]
    return tuple(parts[0].part_of_speech()) if len(parts) == 1 else None


def tokenize(text):
    """The tokens of `text` (normalised with NFKC), punctuation and spaces dropped."""
    return [token for word in words(text) for token in word.tokens]


MAX_SYNONYM_TOKENS = 6


def _units(tokens):
    """Group tokens into (terms, canonical) units.

    A run of up to six tokens whose joined terms form a synonym (お年寄り is
    御 + 年寄り) becomes one unit with the synonym's canonical form; every other
    token is a unit of its own, with a canonical form only if it has one.
    """
    synonyms = synonym_table()
    units, i = [], 0
    while i < len(tokens):
        for size in range(min(MAX_SYNONYM_TOKENS, len(tokens) - i), 0, -1):
            span = [token.term for token in tokens[i : i + size]]
            joined = span[0] if size == 1 else "".join(span)
            if joined in synonyms or size == 1:
                units.append((span, synonyms.get(joined)))
                i += size
                break
    return units


def _token_spans(tokens):
    """_units with the tokens of each unit: [(tokens, canonical)]."""
    spans, index = [], 0
    for span, canonical in _units(tokens):
        spans.append((tokens[index : index + len(span)], canonical))
        index += len(span)
    return spans


def terms(text):
    """The index terms of `text`, in order: every term, plus canonical synonyms."""
    return _terms(tokenize(text))


def _terms(tokens):
    found = []
    for span, canonical in _units(tokens):
        found.extend(span)
        if canonical and canonical not in span:
            found.append(canonical)
    return found


def readings(found_words, terms_found=()):
    """The reading keys a text is also found by, without those already among its terms.

    Each token's and each longest unit's reading (吉祥寺, 北町 and
    吉祥寺北町), and those of two nouns in a row (子育て + カフェ: コソダテカフエ),
    which residents type as one word of kana.
    """
    keys = []
    previous = None
    for word in found_words:
        for token in word.tokens:
            keys.extend((token.reading, token.lemma_reading))
        keys.append(word.reading)
        if previous and previous.noun and word.noun and previous.reading and word.reading:
            keys.append(previous.reading + word.reading)
        previous = word
    known = set(terms_found)
    result = []
    for key in keys:
        if key and key not in known:
            known.add(key)
            result.append(key)
    return result


def index_text(text):
    """Text as it goes into a search index: terms, then readings, separated by single spaces.

    Search backends split on spaces only, so each term stays one token on
    SQLite FTS5, PostgreSQL ('simple') and Elasticsearch (whitespace). The
    readings come after every term, so phrases of terms stay intact.
    """
    found = words(text)
    tokens = [token for word in found for token in word.tokens]
    found_terms = _terms(tokens)
    return " ".join(found_terms + readings(found, found_terms))


def autocomplete_text(text):
    """What goes into autocomplete fields: surfaces (what people type), terms, readings."""
    found = words(text)
    typed = []
    for word in found:
        for token in word.tokens:
            typed.append(token.surface)
            if token.term != token.surface:
                typed.append(token.term)
    return " ".join(typed + readings(found, typed))


def query_terms(query):
    """The distinct terms a query must match; a synonym stands for its whole span."""
    result = []
    for span, canonical in _units(tokenize(query)):
        for term in [canonical] if canonical else span:
            if term not in result:
                result.append(term)
    return result


@dataclass(frozen=True, slots=True)
class QueryUnit:
    """One thing a query asks for: its terms as written, or else its reading.

    A page matches the unit when it holds every term, or (when `reading` is
    not empty) every reading key: こうざ is its own terms or コウザ, the
    reading of 講座; 講座 is 講座 or コウザ, so it finds こうざ written in
    kana. A page that matches both ranks higher, so written matches come first.
    """

    terms: tuple
    reading: tuple = ()
    # A kana word read as a synonym (しにあ: シニア) also stands for its canonical term.
    synonym: tuple = ()

    @property
    def alternatives(self):
        """What may match the unit: each a tuple of terms that must all match."""
        return [found for found in (self.terms, self.reading, self.synonym) if found]


def _unit(terms_found, reading, synonym=()):
    reading = tuple(key for key in reading if key)
    if not terms_found or set(reading) <= set(terms_found):
        reading = ()
    synonym = tuple(term for term in synonym if term not in terms_found)
    return QueryUnit(tuple(terms_found), reading, synonym)


def query_words(query):
    """The words of a query as typed: split at spaces, else one term or synonym each.

    What a resident counts as the words of a search, for "pages that hold
    most of them": 防災 講座 is two words, and so is 防災講座; a word typed in
    kana stays whole, and particles are not words.
    """
    chunks = normalize(query).split()
    if len(chunks) != 1 or is_kana(chunks[0]):
        return chunks
    return [
        "".join(token.surface for token in span)
        for span, _canonical in _token_spans(tokenize(chunks[0]))
        if any(token.reading or not is_kana(token.surface) for token in span)
    ]


def query_units(query):
    """What `query` asks for, unit by unit (see QueryUnit); duplicates dropped.

    A word typed all in kana is one unit whose reading is the whole word
    (ねっとわーく: ネツトワク), because Sudachi often cuts a kana word it
    does not know into pieces; otherwise each synonym span or term is a
    unit with the reading of its tokens.
    """
    units = []
    for chunk in normalize(query).split():
        if is_kana(chunk):
            key = reading_key(chunk)
            canonical = synonym_readings().get(key)
            found = [_unit(query_terms(chunk), (key,), (canonical,) if canonical else ())]
        else:
            found = []
            for span, canonical in _token_spans(tokenize(chunk)):
                keys = [token.reading for token in span]
                reading = ("".join(keys),) if all(keys) else ()
                found.append(_unit([canonical] if canonical else [t.term for t in span], reading))
        for unit in found:
            if unit.terms and unit not in units:
                units.append(unit)
    return units


def autocomplete_terms(query):
    """Surfaces of a partial query; the last one is matched as a prefix."""
    return [token.surface for token in tokenize(query)]


def autocomplete_reading(query):
    """The reading key of a partial query typed in kana (ぼらん: ボラン), else ""."""
    text = "".join(normalize(query).split())
    key = reading_key(text) if is_kana(text) else ""
    return key if len(key) >= MIN_READING_LENGTH else ""
