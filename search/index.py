"""Search fields that index Japanese-analysed text.

Models declare `JapaneseSearchField` / `JapaneseAutocompleteField` instead of
Wagtail's own: the value of the field is run through `search.analysis` before
any backend sees it, so SQLite FTS5, PostgreSQL and Elasticsearch all index
the same space-separated terms. A field named "title" still lands in the
backends' title column and keeps its boost.
"""

from django.utils.encoding import force_str

from wagtail.search import index

from . import analysis


def as_text(value):
    """Flatten what a field's get_value() returns (str, list, dict, None) to text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(as_text(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return "\n".join(as_text(item) for item in value)
    return force_str(value)


class JapaneseSearchField(index.SearchField):
    def get_value(self, obj):
        return analysis.index_text(as_text(super().get_value(obj)))


class JapaneseAutocompleteField(index.AutocompleteField):
    def get_value(self, obj):
        return analysis.autocomplete_text(as_text(super().get_value(obj)))


# Titles weigh more than bodies on every backend (Wagtail's own default is 2).
TITLE_BOOST = 3


def page_search_fields(*fields):
    """Wagtail's Page search fields with the title analysed, plus `fields`."""
    from wagtail.models import Page

    base = [
        field
        for field in Page.search_fields
        if not (
            isinstance(field, (index.SearchField, index.AutocompleteField))
            and field.field_name == "title"
        )
    ]
    return [
        JapaneseSearchField("title", boost=TITLE_BOOST),
        # The title once more as body text, so a query whose words are split
        # between title and text still matches the body column alone (the
        # PostgreSQL backend matches on the body's GIN index).
        JapaneseSearchField("title_as_text"),
        JapaneseAutocompleteField("title"),
        *base,
        *fields,
    ]
