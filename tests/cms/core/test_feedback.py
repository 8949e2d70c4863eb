import csv
import io
import re

import pytest

from django.core import mail

from wagtail.models import Page

from cms.core.models import PageFeedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return Page.objects.get(slug="about").specific


def test_feedback_answer_is_stored_and_the_resident_thanked(client, page):
    response = client.post(
        f"/feedback/{page.pk}/",
        {"usefulness": "useful", "findability": "easy", "comment": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "ご協力ありがとうございました。" in response.content.decode()
    feedback = PageFeedback.objects.get()
    assert (feedback.page_id, feedback.usefulness, feedback.findability) == (
        page.pk,
        "useful",
        "easy",
    )
    assert feedback.page_title == page.title
    assert mail.outbox == []


def test_a_comment_notifies_the_office_by_email(client, page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/feedback/{page.pk}/", {"usefulness": "not_useful", "comment": "地図がほしい"}
        )
    assert len(mail.outbox) == 1
    assert "地図がほしい" in mail.outbox[0].body
    assert PageFeedback.objects.get().notified_at is not None


def test_invalid_answer_is_rejected_beside_its_field_and_keeps_the_comment(client, page):
    response = client.post(
        f"/feedback/{page.pk}/", {"usefulness": "maybe", "comment": "入力したコメント"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "入力したコメント" in html
    assert 'aria-describedby="feedback-usefulness-error"' in html
    assert PageFeedback.objects.count() == 0


def test_overlong_comment_is_rejected(client, page):
    response = client.post(
        f"/feedback/{page.pk}/", {"usefulness": "useful", "comment": "あ" * 1001}
    )
    assert response.status_code == 400
    assert PageFeedback.objects.count() == 0


def test_feedback_on_a_private_page_is_refused_and_shows_nothing_of_it(client, page):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    response = client.post(f"/feedback/{page.pk}/", {"usefulness": "maybe"})
    assert response.status_code == 404
    assert "このサイトは、武蔵野市市民部市民活動推進課" not in response.content.decode()
    assert PageFeedback.objects.count() == 0


def test_feedback_for_a_missing_page_is_404_and_get_is_not_allowed(client):
    assert client.post("/feedback/999999/", {"usefulness": "useful"}).status_code == 404
    assert client.get("/feedback/1/").status_code == 405


def test_editors_read_and_export_feedback_in_the_admin(admin_client_ja, page):
    PageFeedback.objects.create(
        page=page, page_title=page.title, usefulness="useful", comment="わかりやすい"
    )
    listing = admin_client_ja.get("/admin/page_feedback/")
    assert listing.status_code == 200
    assert "わかりやすい" in listing.content.decode()
    export = admin_client_ja.get("/admin/page_feedback/?export=csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    row = next(row for row in rows if "わかりやすい" in row)
    # Editors read labels and Japan time, not codes and UTC.
    assert "役に立った" in row and "useful" not in row
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row[0])


def test_editors_cannot_invent_feedback(admin_client_ja):
    assert admin_client_ja.get("/admin/page_feedback/new/").status_code in (302, 403)
