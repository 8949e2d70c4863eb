"""Text for the engine: which terms of a text carry meaning, how they are
weighed (TF-IDF), and which of a resident's own words to quote in a reason.

The in-process engine fits a Vocabulary on its records; the search-engine
path reuses one Vocabulary made from the index's document frequencies, so
both weigh every term alike and their cosines agree.
"""

import functools
import math
import re
import sys
from collections import Counter

import numpy as np
from scipy import sparse

from search import analysis

# -- text ---------------------------------------------------------------------
#
# Word terms from search.analysis, not character n-grams. Sudachi's split mode
# A already finds 子育て inside つながる子育てカフェ; its normalised forms join
# spelling variants (つながる/繋がる, ものづくり/物づくり) and NFKC joins ｶﾌｪ/カフェ.
# The variants n-grams could not join either, because they share no characters
# (お年寄り/高齢者, ものづくり/工作), are synonym lines in search/synonyms.txt,
# shared with the site search. N-grams would instead make 活動 or 支援 match in
# every posting, and the reasons could only quote fragments of words.

# Grammar rather than meaning, in Sudachi's normalised forms: light verbs and
# nouns (する→為る, いる→居る, ください→下さる) and, by the pattern below, kana
# particles and endings (の, を, です, ます, から). TF-IDF would weigh them down,
# but they are half the terms of a sentence: kept, they would dilute the cosine
# of a resident's few words of interests and could surface in the reasons.
STOP_TERMS = frozenset(
    "為る 為 居る 成る 有る 或る 在る 御 事 物 者 人 方 達 等 日 様 下さる 頂く 致す 出来る "
    "此れ 其れ 彼れ 此方 此の 其の".split()
)
_KANA_FUNCTION_WORD = re.compile(r"[\u3041-\u309f]{1,3}")
_SENTENCE_END = re.compile(r"(?<=[。．！？!?\n])")


def content_terms(text):
    """The terms of `text` that carry meaning: search.analysis.terms without grammar."""
    return [
        sys.intern(term)
        for term in analysis.terms(text)
        if term not in STOP_TERMS and not _KANA_FUNCTION_WORD.fullmatch(term)
    ]


# Bridges (bridges.py) join words that name things: Sudachi's common nouns
# (普通名詞), but not those that also serve as adverbs of time or as counters
# (時, 土日, 日曜, 時間, 週: 名詞-普通名詞-副詞可能/助数詞可能). Those say when,
# which the slots say already, and the vectors place each near every other
# word of time (「土日」 near 「夏休み」 and 「受け付け」). Verbs, adjectives and
# pronouns join what is merely related: 「行け」 and 「寄る」, 「やすい」 and 「難い」.
_TIME_OR_COUNTER_NOUNS = frozenset({"副詞可能", "助数詞可能"})


@functools.lru_cache(maxsize=200_000)
def is_content_noun(term):
    """True when `term` (a normalised form) is one common noun that names a thing."""
    pos = analysis.part_of_speech(term)
    return (
        pos is not None and pos[:2] == ("名詞", "普通名詞") and pos[2] not in _TIME_OR_COUNTER_NOUNS
    )


class JapaneseAnalyzer:
    """search.analysis as a scikit-learn analyzer.

    A document is a string or a tuple of strings (title, description, skill
    names…), analysed sentence by sentence. While an engine is built every
    sentence is memoised (`learning`): postings repeat boilerplate, and a
    group's document is made of its opportunities' texts, analysed already.
    Afterwards the memo keeps only the skill names and aliases, which every
    profile's text repeats, and stops growing.
    """

    def __init__(self):
        self.memo = {}
        self.learning = True

    def __call__(self, document):
        parts = (document,) if isinstance(document, str) else document
        found = []
        for part in parts:
            for sentence in _SENTENCE_END.split(part or ""):
                found.extend(self._sentence_terms(sentence))
        return found

    def _sentence_terms(self, sentence):
        terms = self.memo.get(sentence)
        if terms is None:
            terms = content_terms(sentence)
            if self.learning:
                self.memo[sentence] = terms
        return terms

    def keep_only(self, sentences):
        """Stop memoising; keep the memo of `sentences` (analysed if need be)."""
        self.memo = {sentence: self._sentence_terms(sentence) for sentence in sentences}
        self.learning = False


def phrases_of(text):
    """The words of `text` as written, each with the terms it stands for.

    Returns (start, end, terms) per token, offsets into the NFKC form of the
    text. A token inside a synonym's span also stands for the canonical term,
    so お年寄り is quoted for 高齢者, as search.analysis groups them.
    """
    synonyms = analysis.synonym_table()
    tokens = analysis.tokenize(text)
    carried = [{token.term} for token in tokens]
    position = 0
    while position < len(tokens):
        for size in range(min(analysis.MAX_SYNONYM_TOKENS, len(tokens) - position), 0, -1):
            joined = "".join(token.term for token in tokens[position : position + size])
            if joined in synonyms or size == 1:
                canonical = synonyms.get(joined)
                for inside in range(position, position + size):
                    carried[inside].update([canonical] if canonical else [])
                position += size
                break
    return [(token.start, token.end, terms) for token, terms in zip(tokens, carried, strict=True)]


def quoted_words(parts, weights, skip=frozenset()):
    """The resident's own words behind the shared terms, heaviest first.

    `parts` are texts, or (NFKC text, phrases_of(text)) pairs prepared once
    per profile; `weights` is {term: its part of the cosine}. Adjacent tokens
    that both match are quoted together: Sudachi's short units split 見守り
    into 見 + 守り, and a resident should read 見守り. A word whose terms are
    all in `skip` (the skills already named) is left out.
    """
    found = {}
    for order, part in enumerate(parts):
        if isinstance(part, str):
            part = analysis.normalize(part), phrases_of(part)
        text, phrases = part
        run = None
        for start, end, terms in phrases:
            hits = {term for term in terms if term in weights}
            if hits and run is not None and run[1] == start:
                run[1], run[2] = end, run[2] | hits
                continue
            if run is not None:
                found.setdefault(text[run[0] : run[1]], (run[2], order, run[0]))
            run = [start, end, hits] if hits else None
        if run is not None:
            found.setdefault(text[run[0] : run[1]], (run[2], order, run[0]))
    ranked = sorted(
        (-sum(weights[term] for term in terms), order, start, word)
        for word, (terms, order, start) in found.items()
        if not terms <= skip
    )
    return [word for *_key, word in ranked]


# -- weighing: TF-IDF -----------------------------------------------------------


def count_terms(documents, columns=None):
    """A (documents × terms) matrix of term counts, and the columns it used.

    `documents` are lists of terms. With `columns` ({term: column}) given,
    terms not in it are left out; otherwise each new term gets the next
    column and the dict returned holds them all.
    """
    grow = columns is None
    columns = {} if grow else columns
    indptr, indices, counts = [0], [], []
    for terms in documents:
        if grow:
            found = Counter(columns.setdefault(term, len(columns)) for term in terms)
        else:
            found = Counter(columns[term] for term in terms if term in columns)
        indices.extend(found)
        counts.extend(found.values())
        indptr.append(len(indices))
    matrix = sparse.csr_array(
        (
            np.array(counts, dtype=np.float64),
            np.array(indices, dtype=np.int32),
            np.array(indptr, dtype=np.int64),
        ),
        shape=(len(indptr) - 1, len(columns)),
    )
    matrix.sort_indices()
    return matrix, columns


class Vocabulary:
    """Terms with their inverse document frequencies, and the TF-IDF weighting.

    The weighting of scikit-learn's TfidfVectorizer(sublinear_tf=True) with its
    other defaults: a term counted c times in a document weighs (1 + ln c) · idf,
    idf = ln((1 + n) / (1 + df)) + 1 for a term in df of the n documents, and
    each document's weights are scaled to unit length. Columns are the terms
    in sorted order. Made from counts, it can come from anywhere the document
    frequencies are known: an engine's records, or a search index.
    """

    def __init__(self, frequencies, document_count):
        self.terms = sorted(frequencies)
        self.columns = {term: column for column, term in enumerate(self.terms)}
        self.document_count = document_count
        df = np.fromiter((frequencies[term] for term in self.terms), float, len(self.terms))
        self.idf = np.log((1.0 + document_count) / (1.0 + df)) + 1.0
        self._idf = self.idf.tolist()

    def __len__(self):
        return len(self.terms)

    @classmethod
    def fit(cls, documents):
        """The vocabulary of lists of terms, and their count matrix in its columns."""
        counts, columns = count_terms(documents)
        document_frequency = np.bincount(counts.indices, minlength=len(columns))
        vocabulary = cls(
            {term: int(document_frequency[column]) for term, column in columns.items()},
            counts.shape[0],
        )
        # Columns in sorted-term order, as the vocabulary numbers them.
        renumber = np.array([vocabulary.columns[term] for term in columns], dtype=np.int32)
        counts = sparse.csr_array(
            (counts.data, renumber[counts.indices], counts.indptr), shape=counts.shape
        )
        counts.sort_indices()
        return vocabulary, counts

    def count(self, documents):
        """The count matrix of lists of terms, in this vocabulary's columns."""
        return count_terms(documents, self.columns)[0]

    def count_maps(self, documents):
        """The count matrix of {term: count} maps, in this vocabulary's columns."""
        get = self.columns.get
        indptr, indices, counts = [0], [], []
        for found in documents:
            indices += [get(term, -1) for term in found]
            counts += found.values()
            indptr.append(len(indices))
        indices = np.array(indices, dtype=np.int32)
        counts = np.array(counts, dtype=np.float64)
        indptr = np.array(indptr, dtype=np.int64)
        known = indices >= 0
        if not known.all():
            # Terms the vocabulary does not have (indexed since it was read).
            indptr = np.concatenate(([0], np.cumsum(known)))[indptr]
            indices, counts = indices[known], counts[known]
        matrix = sparse.csr_array(
            (counts, indices, indptr), shape=(len(indptr) - 1, len(self.columns))
        )
        matrix.sort_indices()
        return matrix

    def weigh(self, counts):
        """TF-IDF unit vectors (rows) of a count matrix in this vocabulary's columns."""
        weights = sparse.csr_array(counts, dtype=np.float64, copy=True)
        np.log(weights.data, out=weights.data)
        weights.data += 1.0
        weights.data *= self.idf[weights.indices]
        squares = weights.data * weights.data
        lengths = np.diff(weights.indptr)
        norms = np.zeros(weights.shape[0])
        rows = np.flatnonzero(lengths)
        if rows.size:
            norms[rows] = np.sqrt(np.add.reduceat(squares, weights.indptr[rows]))
            weights.data /= np.repeat(norms, lengths)
        return weights

    def weigh_terms(self, terms):
        """{column: weight}: the TF-IDF unit vector of one list of terms.

        weigh() for a single short text, in plain Python: for a profile's
        few words its arithmetic costs less than building a matrix.
        """
        counts = Counter(self.columns[term] for term in terms if term in self.columns)
        weights = {
            column: (1.0 + math.log(count)) * self._idf[column]
            for column, count in sorted(counts.items())
        }
        norm = math.sqrt(sum(weight * weight for weight in weights.values()))
        return {column: weight / norm for column, weight in weights.items()} if norm else {}


def skill_words(skills, slugs):
    """Names and aliases of the skills `slugs` ({slug: Skill}); unknown slugs have none."""
    words = []
    for slug in slugs:
        skill = skills.get(slug)
        if skill is not None:
            words.append(skill.name)
            words.extend(skill.aliases)
    return words


class TaxonomyText:
    """The skills' names and aliases, analysed once.

    A profile's skills add their words to its text; the terms a skill names
    are not quoted again as the resident's own words; each word is tokenised
    for quoting. Every engine built on the same taxonomy can share one.
    """

    def __init__(self, skills, analyzer=None):
        self.skills = {skill.slug: skill for skill in skills}
        words = self.words(self.skills)
        self.analyzer = analyzer or JapaneseAnalyzer()
        self.analyzer.keep_only(words)
        self.terms = {
            slug: frozenset(term for word in self.words([slug]) for term in content_terms(word))
            for slug in self.skills
        }
        self.phrases = {word: (analysis.normalize(word), phrases_of(word)) for word in words}

    def words(self, slugs):
        """Names and aliases of the skills (unknown slugs have none)."""
        return skill_words(self.skills, slugs)

    def name(self, slug):
        skill = self.skills.get(slug)
        return skill.name if skill is not None else slug

    def terms_of(self, slug):
        return self.terms.get(slug, frozenset())
