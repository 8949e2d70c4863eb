"""Bridges: words of a resident's that differ from a listing's but mean the same.

A bridge gives, for a term of the resident's, the vocabulary's terms near it
in meaning, each with a similarity in (0, 1]. The profile's TF-IDF vector
then also holds those terms, at `weight` × similarity × the weight of the
resident's term, so 「デジタル機器が苦手な人」 meets 「スマートフォン教室」 while
the resident's own words still weigh most. The expansion depends only on the
vocabulary and the profile, so the in-process engine and the search-engine
path (which ranks with the index's vocabulary) expand alike.

Candidates measured (README, "Ranking quality"): word vectors (those the
ja-ginza model ships) and character n-grams. See CharacterNgrams and
WordVectors for what each is.
"""

import json
import math
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Bridged:
    """A vocabulary term reached through a bridge from one of the resident's terms."""

    term: str  # the resident's (normalised) term
    similarity: float


def expand_query(vocabulary, terms, bridge=None, *, weight=0.5, limit=5):
    """The profile's TF-IDF unit vector {column: weight}, bridged, and what was bridged.

    Returns (weights, bridged): `bridged` is {column: Bridged} for each column
    the resident's own terms did not hold. Without a bridge it is
    vocabulary.weigh_terms(terms) and {}. A resident's term the vocabulary
    lacks still reaches its neighbours, weighed with the IDF of a term no
    document holds.
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
    bridged = {}
    added = {}
    for term, value in raw.items():
        for column, similarity in bridge.related(vocabulary, term, limit=limit):
            if column in own:
                continue
            gain = weight * similarity * value
            if gain > added.get(column, 0.0):
                added[column] = gain
                bridged[column] = Bridged(term, similarity)
    weights = {**own, **added}
    norm = math.sqrt(sum(value * value for value in weights.values()))
    if not norm:
        return {}, {}
    return {column: value / norm for column, value in sorted(weights.items())}, bridged


class _PerVocabulary:
    """What a bridge precomputes for a vocabulary, kept while the vocabulary lives."""

    def __init__(self):
        self._cache = weakref.WeakKeyDictionary()

    def of(self, vocabulary, build):
        found = self._cache.get(vocabulary)
        if found is None:
            found = self._cache[vocabulary] = build(vocabulary)
        return found


class CharacterNgrams:
    """Terms sharing most of their character bigrams (Dice coefficient ≥ threshold).

    Joins spellings Sudachi's normalised forms leave apart (デジタル機器 and
    機器, 外国籍 and 外国人) without any data, but also words that only look
    alike.
    """

    name = "character n-grams"

    def __init__(self, threshold=0.5, size=2):
        self.threshold = threshold
        self.size = size
        self._indexes = _PerVocabulary()

    def _grams(self, term):
        if len(term) < self.size:
            return frozenset()
        return frozenset(term[i : i + self.size] for i in range(len(term) - self.size + 1))

    def _index(self, vocabulary):
        postings = defaultdict(list)
        grams = []
        for column, term in enumerate(vocabulary.terms):
            found = self._grams(term)
            grams.append(found)
            for gram in found:
                postings[gram].append(column)
        return postings, grams

    def related(self, vocabulary, term, *, limit=5):
        """[(column, similarity)] of the vocabulary's terms nearest `term`, nearest first."""
        postings, grams = self._indexes.of(vocabulary, self._index)
        mine = self._grams(term)
        if not mine:
            return []
        shared = Counter(column for gram in mine for column in postings.get(gram, ()))
        found = []
        for column, count in shared.items():
            if vocabulary.terms[column] == term:
                continue
            dice = 2 * count / (len(mine) + len(grams[column]))
            if dice >= self.threshold:
                found.append((column, dice))
        found.sort(key=lambda item: (-item[1], item[0]))
        return found[:limit]


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
    words; reading them takes numpy and msgpack only.
    """

    name = "word vectors"

    def __init__(self, directory, threshold=0.5):
        import msgpack

        directory = Path(directory)
        self.threshold = threshold
        vectors = np.load(directory / "vectors")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        with open(directory / "key2row", "rb") as file:
            self.key2row = msgpack.unpackb(file.read(), strict_map_key=False)
        self._matrices = _PerVocabulary()

    @classmethod
    def of_ja_ginza(cls, **options):
        """The vectors of the installed ja_ginza package (ImportError without it)."""
        import importlib.util

        spec = importlib.util.find_spec("ja_ginza")
        if spec is None:
            raise ImportError("ja_ginza is not installed")
        package = Path(spec.origin).parent
        meta = json.loads((package / "meta.json").read_text())
        return cls(
            package / f"{meta['lang']}_{meta['name']}-{meta['version']}" / "vocab", **options
        )

    def row_of(self, term):
        return self.key2row.get(spacy_key(term))

    def _matrix(self, vocabulary):
        columns, rows = [], []
        for column, term in enumerate(vocabulary.terms):
            row = self.row_of(term)
            if row is not None:
                columns.append(column)
                rows.append(row)
        return np.array(columns, dtype=np.intp), self.vectors[np.array(rows, dtype=np.intp)]

    def related(self, vocabulary, term, *, limit=5):
        """[(column, similarity)] of the vocabulary's terms nearest `term`, nearest first."""
        row = self.row_of(term)
        if row is None:
            return []
        columns, matrix = self._matrices.of(vocabulary, self._matrix)
        if not columns.size:
            return []
        similarities = matrix @ self.vectors[row]
        near = np.flatnonzero(similarities >= self.threshold)
        found = [
            (int(columns[i]), float(similarities[i]))
            for i in near
            if vocabulary.terms[columns[i]] != term
        ]
        found.sort(key=lambda item: (-item[1], item[0]))
        return [(column, min(similarity, 1.0)) for column, similarity in found[:limit]]


# The engine's default: the site's bridge (see default_bridge).
DEFAULT = object()


def default_bridge():
    """The bridge the site ranks with."""
    return None
