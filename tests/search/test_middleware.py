"""Pages that search through Wagtail while the engine is down (search.middleware)."""

import pytest

from cms.settings.base import search_backends
from tests.serving import free_port

pytestmark = pytest.mark.django_db

UNAVAILABLE = "ただいま検索をご利用いただけません"


@pytest.fixture
def engine_down(settings):
    """An OpenSearch backend at a local address where nothing answers."""
    settings.WAGTAILSEARCH_BACKENDS = search_backends(f"http://127.0.0.1:{free_port()}")


def test_admin_page_search_answers_503_saying_why(engine_down, admin_client_ja):
    response = admin_client_ja.get("/admin/pages/search/", {"q": "防災"})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert UNAVAILABLE in response.content.decode()


def test_public_search_page_stays_200(engine_down, client):
    response = client.get("/search/", {"query": "防災"})
    assert response.status_code == 200
    assert UNAVAILABLE in response.content.decode()


def test_pages_that_do_not_search_are_served(engine_down, client):
    assert client.get("/").status_code == 200
    assert client.get("/activities/").status_code == 200


def test_other_errors_are_not_hidden(settings, admin_client_ja, monkeypatch):
    from search import middleware

    monkeypatch.setattr(middleware, "is_engine_unavailable", lambda error: False)
    settings.WAGTAILSEARCH_BACKENDS = search_backends(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(Exception, match="Connection"):
        admin_client_ja.get("/admin/pages/search/", {"q": "防災"})
