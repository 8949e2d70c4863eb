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
- lower case for Latin letters; punctuation and spaces dropped.

The dictionary is loaded once per process; each thread gets its own
tokenizer because Sudachi tokenizers are not thread-safe.
"""

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

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
        tokenizer = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.A)
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


def tokenize(text):
    """The tokens of `text` (normalised with NFKC), punctuation and spaces dropped."""
    text = normalize(text)
    tokens = []
    tokenizer = _tokenizer()
    for offset, chunk in _chunks(text):
        for morpheme in tokenizer.tokenize(chunk):
            if morpheme.part_of_speech()[0] in _SKIPPED_POS:
                continue
            surface = morpheme.surface()
            if not surface.strip():
                continue
            tokens.append(
                Token(
                    surface=surface,
                    term=normalize(morpheme.normalized_form()),
                    start=offset + morpheme.begin(),
                    end=offset + morpheme.end(),
                )
            )
    return tokens


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


def terms(text):
    """The index terms of `text`, in order: every term, plus canonical synonyms."""
    found = []
    for span, canonical in _units(tokenize(text)):
        found.extend(span)
        if canonical and canonical not in span:
            found.append(canonical)
    return found


def index_text(text):
    """Text as it goes into a search index: terms separated by single spaces.

    Search backends split on spaces only, so each term stays one token on
    SQLite FTS5, PostgreSQL ('simple') and Elasticsearch (whitespace).
    """
    return " ".join(terms(text))


def autocomplete_text(text):
    """What goes into autocomplete fields: surfaces (what people type) and terms."""
    words = []
    for token in tokenize(text):
        words.append(token.surface)
        if token.term != token.surface:
            words.append(token.term)
    return " ".join(words)


def query_terms(query):
    """The distinct terms a query must match; a synonym stands for its whole span."""
    result = []
    for span, canonical in _units(tokenize(query)):
        for term in [canonical] if canonical else span:
            if term not in result:
                result.append(term)
    return result


def autocomplete_terms(query):
    """Surfaces of a partial query; the last one is matched as a prefix."""
    return [token.surface for token in tokenize(query)]
