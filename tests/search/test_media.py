"""Editors find Wagtail's documents and images by Japanese and English words.

Through the admin's listings and choosers, as an editor searches them.
"""

import pytest
import wagtail_factories

from django.core.files.base import ContentFile

from wagtail.documents import get_document_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide_map(django_capture_on_commit_callbacks):
    # Committed as an upload would be: tags are indexed once they are saved.
    with django_capture_on_commit_callbacks(execute=True):
        document = get_document_model()(
            title="防災マップ Guide map", file=ContentFile(b"%PDF-1.4\n", name="bousai-map.pdf")
        )
        document.save()
        document.tags.add("避難所")
    return document


@pytest.fixture
def guide_photo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = wagtail_factories.ImageFactory(title="防災マップ Guide map")
        image.tags.add("避難所")
    return image


def listed(admin_client, url, query):
    response = admin_client.get(url, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


# Japanese words (the title's and a tag's) and the English ones beside them.
QUERIES = ["防災マップ", "避難所", "guide", "Guide map"]


@pytest.mark.parametrize("url", ["/admin/documents/", "/admin/documents/chooser/results/"])
def test_documents_are_found_by_japanese_and_english_words(admin_client_ja, guide_map, url):
    for query in QUERIES:
        assert "防災マップ Guide map" in listed(admin_client_ja, url, query), query


@pytest.mark.parametrize("url", ["/admin/images/", "/admin/images/chooser/results/"])
def test_images_are_found_by_japanese_and_english_words(admin_client_ja, guide_photo, url):
    for query in QUERIES:
        assert "防災マップ Guide map" in listed(admin_client_ja, url, query), query
