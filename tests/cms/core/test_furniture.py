"""Every public page type carries the municipal page furniture."""

import pytest

from wagtail.models import Page

from tests.cms.page_types import PAGE_TYPES

pytestmark = pytest.mark.django_db


def live_page_of_type(model_name):
    page = Page.objects.live().filter(content_type__model=model_name).first()
    assert page is not None, f"the demo content has no live {model_name}"
    return page.specific


@pytest.mark.parametrize("model_name", PAGE_TYPES)
def test_every_page_type_renders_with_its_furniture(client, model_name, request):
    if model_name == "opportunitypage":
        request.getfixturevalue("civic_data")
    page = live_page_of_type(model_name)
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"ページ番号 {page.page_number}" in html
    assert "更新日" in html
    assert "?print=1" in html and "大きな文字で印刷" in html
    assert "このページに関するお問い合わせ" in html
    assert "0422-60-1830" in html and "0422-51-2000" in html
    assert "〒180-8777 東京都武蔵野市緑町2-2-28" in html
    assert "このページの情報は役に立ちましたか" in html
    assert '<html lang="ja">' in html
    assert 'href="#main"' in html


def test_page_number_survives_a_move_and_is_unique(client):
    page = live_page_of_type("activitypage")
    number = page.page_number
    page.move(Page.objects.get(slug="activities"), pos="last-child")
    page.refresh_from_db()
    assert page.page_number == number
    assert f"ページ番号 {number}" in client.get(page.url).content.decode()
    numbers = [p.specific.page_number for p in Page.objects.live().filter(depth__gt=1)]
    assert len(numbers) == len(set(numbers))


def test_updated_date_is_shown_in_the_japanese_era(client):
    page = live_page_of_type("standardpage")
    html = client.get(page.url).content.decode()
    assert "令和" in html.split("更新日", 1)[1][:80]


def test_print_views_need_no_javascript(client):
    page = live_page_of_type("grouppage")
    normal = client.get(page.url).content.decode()
    printed = client.get(page.url + "?print=1").content.decode()
    large = client.get(page.url + "?print=large").content.decode()
    assert "print-view" in printed and "print-view" not in normal
    assert "print-large" in large and "print-large" not in normal
    # The print stylesheet is applied on screen too, so the view is the printout.
    assert 'print.css" media="screen"' in printed
    assert 'print.css" media="screen"' not in normal
    assert "<script" not in printed


def test_print_links_keep_the_listing_filters(client):
    html = client.get("/activities/?kind=cafe&fy=2012").content.decode()
    assert "?kind=cafe&amp;fy=2012&amp;print=1" in html


def test_share_links_are_plain_links_without_third_party_scripts(client):
    page = live_page_of_type("activitypage")
    html = client.get(page.url).content.decode()
    assert "https://x.com/intent/post?" in html
    assert "<script" not in html


def test_contact_block_links_the_contact_form(client):
    html = client.get(live_page_of_type("grouppage").url).content.decode()
    assert "お問い合わせは専用フォームをご利用ください。" in html


def test_pdf_linked_from_rich_text_brings_the_notice(client):
    from wagtail.documents import get_document_model

    document = get_document_model().objects.filter(file__endswith=".pdf").first()
    page = live_page_of_type("grouppage")
    page.description = f'<p>資料は<a linktype="document" id="{document.pk}">こちら</a></p>'
    page.save_revision().publish()
    assert "Adobe Acrobat Reader" in client.get(page.url).content.decode()


def test_pdf_notice_appears_next_to_pdf_links_only(client):
    issue = live_page_of_type("newsletterissuepage")
    html = client.get(issue.url).content.decode()
    assert "(PDF:" in html
    assert "Adobe Acrobat Reader" in html
    about = live_page_of_type("standardpage")
    assert "Adobe Acrobat Reader" not in client.get(about.url).content.decode()


def test_sample_content_is_marked_on_the_page(client):
    facility = live_page_of_type("facilitypage")
    assert facility.sample_content
    assert "サンプル" in client.get(facility.url).content.decode()


def test_page_contact_point_overrides_the_site_default(client):
    from tests.factories import ContactPointFactory

    page = live_page_of_type("standardpage")
    page.contact_point = ContactPointFactory(
        department="子ども家庭部", section="子ども家庭課", phone="0422-60-1234"
    )
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "子ども家庭課" in html.split("このページに関するお問い合わせ", 1)[1]
    assert "0422-60-1234" in html


def test_unknown_url_gets_a_japanese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_public_site_stays_japanese_when_the_browser_prefers_english(client):
    page = live_page_of_type("homepage")
    html = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "ページ番号" in html and "Page number" not in html
