"""Residents' application pages through the Django test client: apply, confirm
by e-mail, the waiting list, cancelling from the e-mailed link, and the badges
on activity pages and listings."""

import datetime
import re

import pytest

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cms.activities.models import ApplicationMode, ApplicationQuestion
from cms.applications import booking, links
from cms.applications.models import Application, ApplicationLink

from .applicants import apply_and_confirm, form_data, link_in, online_activity

Status = Application.Status


def test_a_resident_applies_confirms_by_e_mail_and_gets_a_seat(client, post, activity):
    url = reverse("applications_apply", args=[activity.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert activity.title in response.text and activity.when in response.text
    assert "市役所 西棟会議室" in response.text
    assert str(booking.availability(activity).label) in response.text
    assert 'id="privacy-notice"' in response.text and "30" in response.text
    assert 'name="party_size"' not in response.text, "one person per application here"

    response = post(url, form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("applications_sent", args=[activity.pk])
    application = activity.applications.get()
    assert application.status == Status.UNCONFIRMED
    assert application.note == "車いすで伺います" and application.consented_at
    assert booking.availability(activity).remaining == 2, "no seat before confirmation"

    sent = client.get(response["Location"])
    assert sent.status_code == 200 and "hanako" not in sent.text

    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"]
    confirm = link_in(message, "confirm")
    # The link opens a button only: a mail scanner following it books nothing.
    page = client.get(confirm)
    assert page.status_code == 200 and '<form method="post">' in page.text
    assert "武蔵野 花子" not in page.text and "hanako@example.jp" not in page.text
    application.refresh_from_db()
    assert application.status == Status.UNCONFIRMED

    done = post(confirm)
    assert done.status_code == 200 and done.context["result"] == Status.BOOKED
    assert "武蔵野 花子" not in done.text
    application.refresh_from_db()
    assert application.status == Status.BOOKED and application.confirmed_at
    assert booking.availability(activity).remaining == 1
    assert len(mail.outbox) == 2 and activity.title in mail.outbox[1].subject

    # The link again (a second click) shows the same result and books no more.
    again = post(confirm)
    assert again.context["result"] == Status.BOOKED
    assert activity.applications.holding_seats().people() == 1
    assert len(mail.outbox) == 2


def test_a_party_size_select_appears_when_an_application_may_bring_others(post, index):
    activity = online_activity(index, capacity=5, max_party_size=3)
    response = post(reverse("applications_apply", args=[activity.pk]), {})
    assert response.status_code == 400
    options = re.findall(r'<option value="(\d+)"', response.text)
    assert options == ["1", "2", "3"]
    application = apply_and_confirm(post, activity, party_size="3")
    assert application.party_size == 3 and application.status == Status.BOOKED
    assert booking.availability(activity).remaining == 2


def test_the_activity_s_own_questions_are_asked_and_kept_with_their_answers(post, index):
    activity = online_activity(index)
    question_one = ApplicationQuestion.objects.create(
        page=activity, label="託児を希望しますか", required=True
    )
    ApplicationQuestion.objects.create(
        page=activity, label="ご質問", help_text="講師への質問があれば"
    )
    url = reverse("applications_apply", args=[activity.pk])

    response = post(url, form_data())
    assert response.status_code == 400
    assert "託児を希望しますか" in response.text and "講師への質問があれば" in response.text
    assert response.context["form"].errors.keys() == {f"question_{question_one.pk}"}

    response = post(url, form_data(**{f"question_{question_one.pk}": "はい(2歳)"}))
    assert response.status_code == 302
    assert activity.applications.get().answers == [
        {"question": "託児を希望しますか", "answer": "はい(2歳)"},
        {"question": "ご質問", "answer": ""},
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"party_size": "0"},
        {"party_size": "4"},
        {"consent": ""},
        {"note": "あ" * 1001},
        {"email": "hanako@"},
        {"name": ""},
    ],
)
def test_bad_input_comes_back_with_errors_and_everything_typed(post, index, bad):
    activity = online_activity(index, capacity=5, max_party_size=3)
    response = post(reverse("applications_apply", args=[activity.pk]), form_data(**bad))
    assert response.status_code == 400
    assert "error-summary" in response.text
    assert response.context["form"].errors.keys() == {next(iter(bad))}
    assert 'value="0422-00-0000"' in response.text and "むさしの はなこ" in response.text
    if "note" not in bad:
        assert "車いすで伺います" in response.text
    assert not activity.applications.exists() and mail.outbox == []


def test_a_filled_in_honeypot_is_answered_as_sent_and_dropped(post, activity):
    url = reverse("applications_apply", args=[activity.pk])
    response = post(url, form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert not activity.applications.exists() and mail.outbox == []


def test_too_many_applications_from_one_mailbox_are_refused_with_what_was_typed(
    post, activity, settings
):
    settings.PUBLIC_FORM_RATES = {"per_client": "100/h", "per_address": "1/h"}
    url = reverse("applications_apply", args=[activity.pk])
    assert post(url, form_data()).status_code == 302
    response = post(url, form_data(email="hanako+2@example.jp"))
    assert response.status_code == 429
    assert "車いすで伺います" in response.text
    assert activity.applications.count() == 1


def test_when_full_the_next_resident_joins_the_waiting_list(client, post, index):
    activity = online_activity(index, capacity=1)
    apply_and_confirm(post, activity, email="first@example.jp")
    url = reverse("applications_apply", args=[activity.pk])
    response = client.get(url)
    assert response.context["availability"].state == booking.State.WAITLIST
    assert "満席のため、キャンセル待ちとしてお申し込みいただけます" in response.text
    assert "キャンセル待ち受付中" in response.text

    second = apply_and_confirm(post, activity, email="second@example.jp")
    assert second.status == Status.WAITLISTED and second.waitlisted_at
    third = apply_and_confirm(post, activity, email="third@example.jp")
    assert third.status == Status.WAITLISTED
    first_mail = next(m for m in mail.outbox if m.to == ["third@example.jp"])
    result = client.get(link_in(first_mail, "confirm"))  # the third's link again
    assert result.context["result"] == Status.WAITLISTED and result.context["position"] == 2


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"keeps_waitlist": False, "capacity": 1}, "full"),
        ({"applications_close_at": timezone.now() - datetime.timedelta(hours=1)}, "closed"),
        ({"applications_open_at": timezone.now() + datetime.timedelta(days=3)}, "not-yet-open"),
    ],
)
def test_an_activity_not_taking_applications_says_so_without_a_form(
    client, post, index, overrides, expected
):
    activity = online_activity(index, **overrides)
    if expected == "full":
        booking.apply(activity, channel=Application.Channel.OFFICE, name="窓口", email="")
    response = client.get(reverse("applications_apply", args=[activity.pk]))
    assert response.status_code == 200
    assert response.context["availability"].state == expected
    assert "<form" not in response.text.split("<main", 1)[1].split("</main>", 1)[0]

    # A form sent all the same (opened before it closed) is refused, keeping its text.
    response = post(reverse("applications_apply", args=[activity.pk]), form_data())
    assert response.status_code == 409
    assert "車いすで伺います" in response.text and "error-summary" in response.text
    assert not activity.applications.filter(channel=Application.Channel.WEB).exists()


def test_confirming_after_the_last_seat_went_without_a_waiting_list_is_refused(post, index):
    activity = online_activity(index, capacity=1, keeps_waitlist=False)
    url = reverse("applications_apply", args=[activity.pk])
    post(url, form_data(email="first@example.jp"))
    post(url, form_data(email="second@example.jp"))
    first, second = (link_in(m, "confirm") for m in mail.outbox)
    assert post(second).context["result"] == Status.BOOKED
    response = post(first)
    assert response.status_code == 409 and response.context["refused"]
    assert Application.objects.get(email="first@example.jp").status == Status.UNCONFIRMED


def test_cancelling_from_the_e_mail_frees_the_seat_for_the_first_on_the_waiting_list(
    client, post, index
):
    activity = online_activity(index, capacity=1)
    booked = apply_and_confirm(post, activity, email="booked@example.jp")
    waiting = apply_and_confirm(post, activity, email="waiting@example.jp")
    later = apply_and_confirm(post, activity, email="later@example.jp")
    booked_mail = next(m for m in mail.outbox if m.to == ["booked@example.jp"] and m.attachments)
    manage = link_in(booked_mail, "manage")

    page = client.get(manage, {"answer": "not-coming"})
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    assert "参加できなくなりました（取り消す）" in page.text
    assert 'class="answer answer--cancel answer--chosen"' in page.text
    for personal in ("booked@example.jp", "武蔵野 花子", "0422-00-0000", "車いす"):
        assert personal not in page.text
    booked.refresh_from_db()
    assert booked.status == Status.BOOKED, "opening the link changes nothing"

    sent_before = len(mail.outbox)
    response = post(manage, {"action": "cancel"})
    assert response.status_code == 200 and response.context["done"] == "cancelled"
    assert "参加します" not in response.text, "nothing left to answer"
    booked.refresh_from_db()
    waiting.refresh_from_db()
    later.refresh_from_db()
    assert booked.status == Status.CANCELLED and booked.reply == Application.Reply.NOT_COMING
    assert waiting.status == Status.BOOKED and waiting.promoted_at
    assert later.status == Status.WAITLISTED
    new = mail.outbox[sent_before:]
    assert sorted(m.to[0] for m in new) == ["booked@example.jp", "waiting@example.jp"]
    promoted = next(m for m in new if m.to == ["waiting@example.jp"])
    assert activity.title in promoted.subject and link_in(promoted, "manage")

    # The same button again (a second tab) changes nothing more.
    assert post(manage, {"action": "cancel"}).status_code == 409
    assert Application.objects.get(pk=later.pk).status == Status.WAITLISTED


def test_answering_coming_keeps_the_seat(client, post, activity):
    application = apply_and_confirm(post, activity)
    manage = link_in(mail.outbox[-1], "manage")
    page = client.get(manage, {"answer": "coming"})
    assert 'class="answer answer--coming answer--chosen"' in page.text
    application.refresh_from_db()
    assert application.reply == ""
    response = post(manage, {"action": "coming"})
    assert response.context["done"] == "coming"
    application.refresh_from_db()
    assert application.status == Status.BOOKED
    assert application.reply == Application.Reply.COMING and application.replied_at


@pytest.mark.parametrize("kind", ["confirm", "manage"])
def test_a_bad_or_expired_link_is_a_400_page(client, post, activity, kind):
    name = f"applications_{kind}"
    response = client.get(reverse(name, args=["not-a-token"]))
    assert response.status_code == 400 and "form-error" in response.text
    assert post(reverse(name, args=["x" * 500])).status_code == 400

    application = booking.apply(activity, name="花子", email="hanako@example.jp")
    raw = links.issue(kind, application)
    ApplicationLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert post(reverse(name, args=[raw]), {"action": "cancel"}).status_code == 400
    application.refresh_from_db()
    assert application.status == Status.UNCONFIRMED


def test_the_activity_page_shows_the_seats_left_and_the_apply_link(client, post, index):
    activity = online_activity(index, capacity=1)
    response = client.get(activity.url)
    apply_url = reverse("applications_apply", args=[activity.pk])
    assert str(booking.availability(activity).label) in response.text
    assert f'href="{apply_url}"' in response.text

    apply_and_confirm(post, activity)
    response = client.get(activity.url)
    assert "キャンセル待ち受付中" in response.text and f'href="{apply_url}"' in response.text
    assert "満席のため、キャンセル待ちとしてお申し込みいただけます" in response.text


def test_an_external_application_links_to_the_other_site(client, index):
    activity = online_activity(
        index,
        application_mode=ApplicationMode.EXTERNAL,
        application_url="https://apply.example.jp/form",
        how_to_apply="<p>電話でも受け付けます</p>",
    )
    response = client.get(activity.url)
    assert re.search(r'href="https://apply.example.jp/form" rel="noopener external"', response.text)
    assert "電話でも受け付けます" in response.text, "the editor's text stays"
    assert reverse("applications_apply", args=[activity.pk]) not in response.text
    assert client.get(reverse("applications_apply", args=[activity.pk])).status_code == 404


def test_listing_cards_show_badges_with_one_seat_count_for_the_listing(client, index):
    full = online_activity(index, title="満席の講座", capacity=1)
    booking.apply(full, channel=Application.Channel.OFFICE, name="窓口", email="")
    online_activity(index, title="空きのある講座", capacity=3)
    online_activity(
        index,
        title="締切の講座",
        applications_close_at=timezone.now() - datetime.timedelta(hours=1),
    )
    online_activity(index, title="申込不要の講座", application_mode=ApplicationMode.NONE)

    text = client.get(index.url).text
    for title, badge in (
        ("満席の講座", "キャンセル待ち受付中"),
        ("空きのある講座", str(booking.Availability("open", capacity=3).label)),
        ("締切の講座", "受付終了"),
    ):
        card = text[text.index(title) : text.index("</article>", text.index(title))]
        assert badge in card, (title, badge)
    card = text[
        text.index("申込不要の講座") : text.index("</article>", text.index("申込不要の講座"))
    ]
    assert "availability" not in card

    # One more online activity with applicants costs no query of its own.
    before = _queries(client, index.url)
    another = online_activity(index, title="もうひとつの講座")
    booking.apply(another, channel=Application.Channel.OFFICE, name="窓口", email="")
    assert _queries(client, index.url) == before


def test_the_home_page_cards_show_badges_too(client, home, index):
    online_activity(
        index, title="直近の講座", start_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    text = client.get(home.url).text
    card = text[text.index("直近の講座") : text.index("</article>", text.index("直近の講座"))]
    assert str(booking.Availability("open", capacity=2).label) in card


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
