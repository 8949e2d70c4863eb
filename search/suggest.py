"""Suggestions when a search finds nothing: words the site actually uses."""

import difflib
from collections import Counter

from django.core.cache import cache

from wagtail.models import Page

from . import analysis

VOCABULARY_CACHE_KEY = "search:vocabulary:v2"
READINGS_CACHE_KEY = "search:vocabulary-readings:v1"
VOCABULARY_TTL = 600
MIN_TERM_LENGTH = 2


def vocabulary():
    """{term: surface as written} for the words of live page titles, most frequent first."""
    cached = cache.get(VOCABULARY_CACHE_KEY)
    if cached is not None:
        return cached
    counts, surfaces = Counter(), {}
    for title in Page.objects.live().public().filter(depth__gt=1).values_list("title", flat=True):
        for token in analysis.tokenize(title):
            if len(token.surface) >= MIN_TERM_LENGTH and not token.surface.isdigit():
                counts[token.term] += 1
                surfaces.setdefault(token.term, token.surface)
    result = {term: surfaces[term] for term, _count in counts.most_common()}
    cache.set(VOCABULARY_CACHE_KEY, result, VOCABULARY_TTL)
    return result


def vocabulary_readings():
    """{reading key: surface} for the vocabulary's words that have a reading."""
    cached = cache.get(READINGS_CACHE_KEY)
    if cached is not None:
        return cached
    readings = {}
    for surface in vocabulary().values():
        tokens = analysis.tokenize(surface)
        if len(tokens) == 1 and len(tokens[0].reading) >= MIN_TERM_LENGTH:
            readings.setdefault(tokens[0].reading, surface)
    cache.set(READINGS_CACHE_KEY, readings, VOCABULARY_TTL)
    return readings


def suggestions(query, limit=5):
    """Words from the site's vocabulary that look like the query's words.

    A word typed in kana is also compared by reading: こそだてさろん suggests
    子育て and サロン, the words whose readings it holds.
    """
    words = vocabulary()
    chunks = analysis.normalize(query).split()
    # Sudachi cuts a kana word it does not know into pieces that look like
    # nothing on the site; such words are compared by reading only.
    query_terms = analysis.query_terms(" ".join(c for c in chunks if not analysis.is_kana(c)))
    found = []
    for chunk in chunks:
        if not analysis.is_kana(chunk):
            continue
        typed = analysis.reading_key(chunk)
        held = [
            (typed.index(reading), surface)
            for reading, surface in vocabulary_readings().items()
            if len(reading) > 2 and reading in typed
        ]
        for _position, surface in sorted(held):
            if surface not in found:
                found.append(surface)
    for term in query_terms:
        if len(term) < MIN_TERM_LENGTH:
            continue
        # With several words, one of them alone may well find pages.
        exact = [term] if term in words and len(query_terms) > 1 else []
        related = [t for t in words if t != term and (term in t or t in term)]
        close = difflib.get_close_matches(term, list(words), n=limit, cutoff=0.5)
        for candidate in exact + related + close:
            surface = words[candidate]
            if surface not in found:
                found.append(surface)
    return found[:limit]
