"""The engine's TF-IDF weighting: scikit-learn's TfidfVectorizer(sublinear_tf=True),
computed from counts so that a search index's document frequencies give it too."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.engine.text import Vocabulary

DOCUMENTS = [
    ["子育て", "支援", "支援", "ひろば"],
    ["高齢者", "見守り", "支援"],
    ["子育て", "子育て", "子育て", "カフェ"],
    [],
    ["防災", "訓練", "高齢者"],
]


def test_vocabulary_weighs_as_scikit_learn():
    vectorizer = TfidfVectorizer(analyzer=lambda terms: terms, sublinear_tf=True)
    expected = sparse.csr_array(vectorizer.fit_transform(DOCUMENTS))
    vocabulary, counts = Vocabulary.fit(DOCUMENTS)
    assert vocabulary.terms == vectorizer.get_feature_names_out().tolist()
    assert np.allclose(vocabulary.idf, vectorizer.idf_)
    assert np.allclose(vocabulary.weigh(counts).toarray(), expected.toarray())
    profile = ["子育て", "支援", "未知の言葉"]
    row = sparse.csr_array(vectorizer.transform([profile]))
    weights = vocabulary.weigh_terms(profile)
    assert sorted(weights) == row.indices.tolist()
    assert [weights[column] for column in row.indices] == pytest.approx(row.data.tolist())


def test_a_vocabulary_from_document_frequencies_is_the_fitted_one():
    fitted, counts = Vocabulary.fit(DOCUMENTS)
    frequencies = {"子育て": 2, "支援": 2, "ひろば": 1, "高齢者": 2, "見守り": 1}
    frequencies |= {"カフェ": 1, "防災": 1, "訓練": 1}
    given = Vocabulary(frequencies, document_count=len(DOCUMENTS))
    assert given.terms == fitted.terms
    assert np.array_equal(given.idf, fitted.idf)
    counted = given.count_maps([{"子育て": 3, "カフェ": 1, "未知": 2}])
    assert np.array_equal(given.weigh(counted).toarray(), fitted.weigh(counts[[2]]).toarray())
