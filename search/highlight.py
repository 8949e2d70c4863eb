"""Excerpts for search results, with the matched words marked."""

import unicodedata

from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.search import index

from . import analysis
from .index import JapaneseSearchField, as_text

EXCERPT_SOURCE_CHARS = 3000
# The title is shown above the excerpt already.
TITLE_FIELDS = ("title", "title_as_text")
CONTEXT_BEFORE = 40
EXCERPT_LENGTH = 140


def plain_text(page):
    """The page's indexed text other than its title, as written (not analysed)."""
    parts = []
    for field in page.get_search_fields():
        if isinstance(field, JapaneseSearchField) and field.field_name not in TITLE_FIELDS:
            # The unanalysed value: what residents read on the page.
            parts.append(as_text(index.SearchField.get_value(field, page)))
    text = " ".join(" ".join(parts).split())
    return text[:EXCERPT_SOURCE_CHARS]


def highlight(text, query, *, prefix=False):
    """An excerpt of `text` around the first match of `query`, matches in <mark>.

    Matching compares analysed terms, so ｶﾌｪ marks カフェ and つながる marks
    繋がる, and readings, so こうざ marks 講座; the marked text is what the
    page says. With no match the excerpt is the start of the text.
    """
    wanted = set(analysis.query_terms(query))
    readings = {key for unit in analysis.query_units(query) for key in unit.reading}
    normalized = analysis.normalize(text)
    # Offsets are into the lower-cased NFKC text; show NFKC with its own case
    # (NPO, not npo) when lower-casing kept every offset in place.
    shown = unicodedata.normalize("NFKC", text)
    if len(shown) != len(normalized):
        shown = normalized
    tokens = analysis.tokenize(text)
    typed = [token.surface for token in analysis.tokenize(query)]

    def matched(token):
        if token.term in wanted or readings & {token.reading, token.lemma_reading} - {""}:
            return True
        return prefix and any(token.surface.startswith(word) for word in typed)

    matches = [token for token in tokens if matched(token)]
    start = max(0, matches[0].start - CONTEXT_BEFORE) if matches else 0
    end = min(len(normalized), start + EXCERPT_LENGTH)
    pieces, cursor = [], start
    for token in matches:
        if token.start < start or token.end > end:
            continue
        pieces.append(escape(shown[cursor : token.start]))
        pieces.append(f"<mark>{escape(shown[token.start : token.end])}</mark>")
        cursor = token.end
    pieces.append(escape(shown[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(normalized) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 - every piece is escaped
