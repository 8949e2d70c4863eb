"""Bridges: words of a resident's that differ from a listing's but mean the same.

A bridge gives, for a term of the resident's, the vocabulary's terms near it
in meaning, each with a similarity in (0, 1]. The profile's TF-IDF vector
then also holds those terms, at `weight` × similarity × the weight of the
resident's term, so 「料理には自信があります」 meets 「こども食堂の調理スタッフ」
while the resident's own words still weigh most. The expansion depends only on the
vocabulary and the profile, so the in-process engine and the search-engine
path (which ranks with the index's vocabulary) expand alike.

Only words that name things are bridged, to words that name things
(text.is_content_noun): verbs, adjectives and words of time joined what is
merely related. Two such words side by side that the vectors know as one
word are bridged as that word too: 「車いす」 is 車 + 椅子 to Sudachi, and
車椅子 is near 介助 and 段差. A word the listings use already is bridged only
to near-synonyms; a word no listing uses reaches further, since a bridge is
its only way in (WordVectors' two thresholds).

Measured (README, "Ranking quality"): the word vectors the ja-ginza model
ships help on the tuning half and are kept; character n-grams did not
(bench/matching.py keeps them for the measurement); chikkarpy, Sudachi's
synonym dictionary, downloads its data from outside PyPI when it is built.
"""

import functools
import json
import logging
import math
import threading
import weakref
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .text import is_content_noun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bridged:
    """A vocabulary term reached through a bridge from one of the resident's terms."""

    term: str  # the resident's (normalised) term, or the word two of them make
    similarity: float
    parts: tuple = ()  # the resident's two terms, when `term` is the word they make


# Single characters (来, 所, 語) are parts of words more than words: bridged,
# they join what only shares a character's sense.
MIN_BRIDGED_LENGTH = 2


def expand_query(vocabulary, terms, bridge=None, *, weight=0.5, limit=5):
    """The profile's TF-IDF unit vector {column: weight}, bridged, and what was bridged.

    Returns (weights, bridged): `bridged` is {column: Bridged} for each column
    the resident's own terms did not hold. Without a bridge it is
    vocabulary.weigh_terms(terms) and {}. A resident's term the vocabulary
    lacks still reaches its neighbours, weighed with the IDF of a term no
    document holds; so does the word two adjacent terms make.
    """
    if bridge is None or weight <= 0:
        return vocabulary.weigh_terms(terms), {}
    unseen_idf = math.log((1.0 + vocabulary.document_count) / 1.0) + 1.0
    raw = {}
    for term, count in sorted(Counter(terms).items()):
        column = vocabulary.columns.get(term)
        idf = vocabulary.idf[column] if column is not None else unseen_idf
        raw[term] = (1.0 + math.log(count)) * float(idf)
    own = {
        vocabulary.columns[term]: value for term, value in raw.items() if term in vocabulary.columns
    }
    sources = {term: (value, ()) for term, value in raw.items() if _bridgeable(term)}
    for first, second in zip(terms, terms[1:], strict=False):
        word = first + second
        # The parts may be one character each (車 + 椅子): the word is longer.
        if word in raw or word in sources:
            continue
        if is_content_noun(first) and is_content_noun(second) and bridge.knows(word):
            sources[word] = (max(raw[first], raw[second]), (first, second))
    bridged = {}
    added = {}
    for term, (value, parts) in sources.items():
        known = term in vocabulary.columns
        for column, similarity in bridge.related(
            vocabulary, term, limit=limit, known=known, skip=own
        ):
            gain = weight * similarity * value
            if gain > added.get(column, 0.0):
                added[column] = gain
                bridged[column] = Bridged(term, similarity, parts)
    weights = {**own, **added}
    norm = math.sqrt(sum(value * value for value in weights.values()))
    if not norm:
        return {}, {}
    return {column: value / norm for column, value in sorted(weights.items())}, bridged


def _bridgeable(term):
    return len(term) >= MIN_BRIDGED_LENGTH and is_content_noun(term)


class _PerVocabulary:
    """What a bridge precomputes for a vocabulary, kept while the vocabulary lives."""

    def __init__(self):
        self._cache = weakref.WeakKeyDictionary()

    def of(self, vocabulary, build):
        found = self._cache.get(vocabulary)
        if found is None:
            found = self._cache[vocabulary] = build(vocabulary)
        return found


# spaCy keys its vectors by the 64-bit MurmurHash (MurmurHash64A, seed 1) of
# the word's UTF-8 bytes; computed here, so reading them needs neither spaCy
# nor its murmurhash extension.
_M = 0xC6A4A7935BD1E995
_MASK = (1 << 64) - 1


def spacy_key(word):
    """The key spaCy's StringStore gives `word`."""
    data = word.encode("utf-8")
    value = (1 ^ (len(data) * _M)) & _MASK
    blocks = len(data) // 8
    for start in range(0, blocks * 8, 8):
        block = int.from_bytes(data[start : start + 8], "little")
        block = (block * _M) & _MASK
        block ^= block >> 47
        block = (block * _M) & _MASK
        value ^= block
        value = (value * _M) & _MASK
    tail = data[blocks * 8 :]
    if tail:
        value ^= int.from_bytes(tail, "little")
        value = (value * _M) & _MASK
    value ^= value >> 47
    value = (value * _M) & _MASK
    value ^= value >> 47
    return value


class WordVectors:
    """Cosine of word vectors in a spaCy vocab directory (vectors, key2row).

    ja-ginza ships 20,000 300-dimensional vectors (chiVe, pruned) for 480,000
    words; reading them takes numpy and msgpack only. A word the vocabulary
    holds reaches the terms with a cosine of `threshold` or more; a word it
    lacks, those of `unseen_threshold` or more (the same by default).
    Only the vocabulary's content nouns are reached (text.is_content_noun).
    """

    name = "word vectors"

    def __init__(self, directory, threshold=0.5, unseen_threshold=None):
        import msgpack

        self.directory = directory = Path(directory)
        self.threshold = threshold
        self.unseen_threshold = threshold if unseen_threshold is None else unseen_threshold
        vectors = np.load(directory / "vectors")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        with open(directory / "key2row", "rb") as file:
            key2row = msgpack.unpackb(file.read(), strict_map_key=False)
        # Two sorted arrays instead of a dict of 480,000 Python ints: a fifth
        # of the memory, and every web process holds one.
        self._keys = np.fromiter(key2row.keys(), dtype=np.uint64, count=len(key2row))
        rows = np.fromiter(key2row.values(), dtype=np.int32, count=len(key2row))
        order = np.argsort(self._keys)
        self._keys, self._rows = self._keys[order], rows[order]
        self._matrices = _PerVocabulary()

    def __reduce__(self):
        # An engine is pickled with its bridge: by where its vectors are, read
        # once per process, rather than 24 MB of them in every pickle.
        return shared_vectors, (str(self.directory), self.threshold, self.unseen_threshold)

    @classmethod
    def of_ja_ginza(cls, **options):
        """The vectors of the installed ja_ginza package (ImportError without it)."""
        import importlib.util

        spec = importlib.util.find_spec("ja_ginza")
        if spec is None:
            raise ImportError("ja_ginza is not installed")
        package = Path(spec.origin).parent
        meta = json.loads((package / "meta.json").read_text())
        directory = package / f"{meta['lang']}_{meta['name']}-{meta['version']}" / "vocab"
        return shared_vectors(str(directory), **options)

    def prepare(self, vocabulary):
        """Look the vocabulary's terms up now, not on the first resident's request."""
        self._matrices.of(vocabulary, self._matrix)

    def knows(self, word):
        """True when the vectors hold `word`."""
        return self.row_of(word) is not None

    def row_of(self, term):
        """The row of `term`'s vector, or None when the vectors lack it."""
        key = np.uint64(spacy_key(term))
        position = int(np.searchsorted(self._keys, key))
        if position < self._keys.size and self._keys[position] == key:
            return int(self._rows[position])
        return None

    def _matrix(self, vocabulary):
        columns, rows = [], []
        for column, term in enumerate(vocabulary.terms):
            bridgeable = len(term) >= MIN_BRIDGED_LENGTH and is_content_noun(term)
            row = self.row_of(term) if bridgeable else None
            if row is not None:
                columns.append(column)
                rows.append(row)
        return np.array(columns, dtype=np.intp), self.vectors[np.array(rows, dtype=np.intp)]

    def related(self, vocabulary, term, *, limit=5, known=True, skip=()):
        """[(column, similarity)] of the vocabulary's content nouns nearest `term`,
        nearest first, leaving out the columns in `skip`; `known` says whether
        the vocabulary holds `term`."""
        row = self.row_of(term)
        if row is None:
            return []
        columns, matrix = self._matrices.of(vocabulary, self._matrix)
        if not columns.size:
            return []
        similarities = matrix @ self.vectors[row]
        threshold = self.threshold if known else self.unseen_threshold
        near = np.flatnonzero(similarities >= threshold)
        found = [
            (int(columns[i]), float(similarities[i]))
            for i in near
            if vocabulary.terms[columns[i]] != term and int(columns[i]) not in skip
        ]
        found.sort(key=lambda item: (-item[1], item[0]))
        return [(column, min(similarity, 1.0)) for column, similarity in found[:limit]]


@functools.cache
def shared_vectors(directory, threshold=0.5, unseen_threshold=None):
    """WordVectors(directory, threshold, unseen_threshold), read once per process."""
    return WordVectors(directory, threshold=threshold, unseen_threshold=unseen_threshold)


# The engine's default: the site's bridge (see default_bridge).
DEFAULT = object()
# Tuned on the tuning half of matching/samples/evaluation (README): with 5
# neighbours a word, 0.6 joins 料理–調理 (0.63), 絵–イラスト (0.79) and
# 編み物–手芸 (0.78); for a word the vocabulary holds, lower also joins words
# that are merely related. A word no listing uses has only its bridge: 0.4
# joins 大工–修繕 (0.42), 地震–防災 (0.52) and 車椅子–段差 (0.48).
VECTOR_THRESHOLD = 0.6
UNSEEN_VECTOR_THRESHOLD = 0.4
_default = []
_lock = threading.Lock()


def default_bridge():
    """The bridge the site ranks with: ja-ginza's word vectors, None without them."""
    with _lock:
        if not _default:
            try:
                _default.append(
                    WordVectors.of_ja_ginza(
                        threshold=VECTOR_THRESHOLD, unseen_threshold=UNSEEN_VECTOR_THRESHOLD
                    )
                )
            except ImportError:
                logger.warning("ja_ginza is not installed: matching ranks without word vectors")
                _default.append(None)
        return _default[0]
