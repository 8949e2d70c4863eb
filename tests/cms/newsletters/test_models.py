import pytest

pytestmark = pytest.mark.django_db


def test_index_lists_issues_newest_first_with_their_pdf(client):
    html = client.get("/link/").content.decode()
    march, july = html.index("平成25年3月号"), html.index("平成24年7月号")
    assert march < july
    assert html.count("(PDF:") == 3


def test_issue_page_shows_its_table_of_contents_linking_to_pages(client):
    html = client.get("/link/link-2012-11/").content.decode()
    assert "協働による防災まちづくり 講座の報告" in html
    assert 'href="/activities/h24-shimin-kyodo/iroha-2-bousai/"' in html
    assert "平成24年(2012年)11月1日" in html
