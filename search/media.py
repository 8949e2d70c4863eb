"""Japanese analysis for Wagtail's own images and documents.

Wagtail indexes their titles, descriptions and tags with its plain fields,
while every query is analysed (search.backends.base.analyse_query): the
query 防災マップ or guide reached the index as terms the index never made,
so editors could not find 「防災マップ Guide map」 in the document listing or
the chooser. Here their search fields become the Japanese ones, with the
same names, boosts and filters, and the title is indexed once more as body
text as pages' titles are (search.index.page_search_fields).

The models stay Wagtail's: a custom image or document model would need a
data migration of every file, rendition and reference on a running site
for what is, in the end, a different list of search fields.
"""

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.search import index

from .index import JapaneseAutocompleteField, JapaneseSearchField


def japanese_fields(fields):
    """`fields` with each plain search or autocomplete field made Japanese."""
    converted = []
    for field in fields:
        if isinstance(field, index.RelatedFields):
            converted.append(index.RelatedFields(field.field_name, japanese_fields(field.fields)))
        elif isinstance(field, (JapaneseSearchField, JapaneseAutocompleteField)):
            converted.append(field)
        elif isinstance(field, index.SearchField):
            converted.append(
                JapaneseSearchField(field.field_name, boost=field.boost, **field.kwargs)
            )
        elif isinstance(field, index.AutocompleteField):
            converted.append(JapaneseAutocompleteField(field.field_name, **field.kwargs))
        else:
            converted.append(field)
    return converted


def title_as_text(obj):
    """The title, indexed with the body text too (see search.index.page_search_fields)."""
    return obj.title


def analyse_with_japanese(model):
    """Give `model` (an image or document model) the Japanese search fields."""
    if getattr(model, "_japanese_search_fields", False):
        return
    model.title_as_text = title_as_text
    model.search_fields = [
        *japanese_fields(model.search_fields),
        JapaneseSearchField("title_as_text"),
    ]
    model._japanese_search_fields = True


def analyse_images_and_documents():
    """Called from SearchConfig.ready(), before any search or index update."""
    analyse_with_japanese(get_document_model())
    analyse_with_japanese(get_image_model())
