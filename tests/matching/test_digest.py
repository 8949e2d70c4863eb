"""The weekly digest (matching/digest.py): who gets it, what it holds, and
its one-click unsubscribe link; and the opt-in on the registration form."""

import datetime
import re

import pytest

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Page

from cms.activities.models import ActivityIndexPage
from cms.groups.models import GroupPage
from cms.infrastructure.models import PendingTask
from matching import digest
from matching.models import ResidentProfile, TimeSlot
from tests.factories import ActivityPageFactory
from tests.matching.factories import (
    OpportunityPageFactory,
    ResidentProfileFactory,
    SkillFactory,
)

UNSUBSCRIBE_LINK = re.compile(r"http://testserver(/matching/digest/unsubscribe/[^/\s]+/)")


@pytest.fixture
def quiet_site(db):
    """Everything the demo content published is a month old: nothing is new."""
    Page.objects.update(first_published_at=timezone.now() - datetime.timedelta(days=30))


@pytest.fixture
def skill(db):
    return SkillFactory(slug="digest-picture-books", name="絵本の読み聞かせ")


def reader(skill, **fields):
    """A resident who reads picture books aloud, free on Tuesday mornings."""
    defaults = {
        "name": "武蔵野 花子",
        "email": "hanako@example.jp",
        "interests": "絵本 読み聞かせ",
        "consent": True,
        "email_confirmed_at": timezone.now() - datetime.timedelta(days=60),
        "receives_digest": True,
    }
    profile = ResidentProfileFactory(**{**defaults, **fields})
    profile.skills.set([skill])
    profile.slots.set(TimeSlot.objects.filter(code="tue-am"))
    return profile


def published(page):
    """Published as editors do (a revision): that sets first_published_at."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def next_weekday(weekday, weeks_ahead=2):
    today = timezone.localdate()
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def activity(**fields):
    index = ActivityIndexPage.objects.get(slug="activities")
    defaults = {
        "start_date": next_weekday(1),  # a Tuesday
        "start_time": datetime.time(10, 0),
        "end_time": datetime.time(11, 30),
        "venue_text": "吉祥寺図書館 会議室",
    }
    return published(ActivityPageFactory(parent=index, **{**defaults, **fields}))


@pytest.fixture
def new_items(quiet_site, skill):
    """This week: a reading-aloud lecture and opportunity that suit the reader,
    and a lecture that does not; last month: an opportunity that would suit."""
    group = GroupPage.objects.live().first()
    items = {
        "lecture": activity(
            title="はじめての絵本読み聞かせ講座",
            summary="絵本の選び方と読み聞かせのこつを学びます。",
        ),
        "unrelated": activity(
            title="シニアのためのスマートフォン教室",
            summary="スマートフォンの基本操作を学びます。",
            start_date=next_weekday(5),  # a Saturday
            start_time=datetime.time(18, 30),
            end_time=datetime.time(20, 0),
        ),
        "opportunity": published(
            OpportunityPageFactory(
                parent=group,
                title="おはなし会の読み手ボランティア",
                summary="児童館で絵本の読み聞かせをしてくださる方を募集します。",
                skills=[skill],
                slots=["tue-am"],
            )
        ),
        "old_opportunity": published(
            OpportunityPageFactory(
                parent=group,
                title="図書館の読み聞かせボランティア（先月から募集）",
                summary="絵本の読み聞かせ",
                skills=[skill],
                slots=["tue-am"],
            )
        ),
    }
    Page.objects.filter(pk=items["old_opportunity"].pk).update(
        first_published_at=timezone.now() - datetime.timedelta(days=30)
    )
    return items


def test_an_opted_in_resident_gets_one_mail_with_the_new_items_that_suit_them(new_items, skill):
    profile = reader(skill)
    assert digest.send_weekly_digests() == 1

    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"]
    body = message.body
    assert "はじめての絵本読み聞かせ講座" in body
    assert "おはなし会の読み手ボランティア" in body
    assert "シニアのためのスマートフォン教室" not in body, "what does not suit is left out"
    assert "先月から募集" not in body, "what was published before the week is not new"
    # Each item with its date or place, its page and the engine's reasons.
    lecture = new_items["lecture"]
    assert lecture.when in body and "吉祥寺図書館 会議室" in body
    assert f"http://testserver{lecture.url}" in body
    assert f"http://testserver{new_items['opportunity'].url}" in body
    assert "スキル「絵本の読み聞かせ」が一致" in body
    assert "火曜午前に参加できます" in body
    # One-click unsubscribe (RFC 8058): both headers, the same link in the body.
    (link,) = UNSUBSCRIBE_LINK.findall(body)
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "hanako" not in link and str(profile.pk) not in link.split("/")
    profile.refresh_from_db()
    assert profile.digest_sent_at is not None


def test_the_activities_are_ranked_by_the_engine_with_reasons(new_items, skill):
    profile = reader(skill)
    activities, opportunities = digest.digest_items(profile, timezone.now())
    assert [page.pk for page, _result in activities] == [new_items["lecture"].pk]
    assert [page.pk for page, _result in opportunities] == [new_items["opportunity"].pk]
    (_page, result), *_rest = activities
    assert "火曜午前に参加できます" in result.reasons
    assert any("絵本" in reason for reason in result.reasons)


@pytest.mark.parametrize(
    "fields",
    [
        {"receives_digest": False},
        {"email_confirmed_at": None},
        {"consent": False},
        {"email": ""},
    ],
    ids=["not-opted-in", "unconfirmed", "no-consent", "no-address"],
)
def test_residents_who_did_not_ask_or_confirm_get_nothing(new_items, skill, fields):
    reader(skill, **fields)
    assert digest.send_weekly_digests() == 0
    assert not mail.outbox


def test_nothing_new_sends_no_mail_and_keeps_the_last_digest_time(quiet_site, skill):
    profile = reader(skill)
    digest.send_weekly_digests()
    assert not mail.outbox
    profile.refresh_from_db()
    assert profile.digest_sent_at is None


def test_something_new_that_suits_nobody_sends_no_mail(quiet_site, skill):
    profile = reader(skill)
    activity(title="シニアのためのスマートフォン教室", summary="スマートフォンの基本操作")
    assert digest.send_weekly_digests() == 1  # queued, then found nothing for them
    assert not mail.outbox
    profile.refresh_from_db()
    assert profile.digest_sent_at is None


def test_a_second_run_the_same_week_sends_nothing_new(new_items, skill):
    reader(skill)
    digest.send_weekly_digests()
    assert len(mail.outbox) == 1
    digest.send_weekly_digests()
    assert len(mail.outbox) == 1
    # Something published after the first digest goes in the next one, alone.
    activity(title="読み聞かせボランティア交流会", summary="絵本の読み聞かせの経験を話し合います。")
    digest.send_weekly_digests()
    assert len(mail.outbox) == 2
    assert "読み聞かせボランティア交流会" in mail.outbox[1].body
    assert "はじめての絵本読み聞かせ講座" not in mail.outbox[1].body


def test_a_broken_mail_server_keeps_the_digest_to_send_again(new_items, skill, settings):
    from cms.infrastructure.queue import requeue_pending

    profile = reader(skill)
    settings.EMAIL_BACKEND = "tests.mail.BrokenEmailBackend"
    digest.send_weekly_digests()
    (kept,) = PendingTask.objects.all()
    assert kept.task_name == "matching.tasks.send_resident_digest"
    assert kept.args[0] == profile.pk and "hanako" not in str(kept.args)
    profile.refresh_from_db()
    assert profile.digest_sent_at is None, "the week is not marked sent"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert requeue_pending() == (1, 0)
    (message,) = mail.outbox
    assert "はじめての絵本読み聞かせ講座" in message.body


def _unsubscribe_link(skill, new_items):
    profile = reader(skill)
    digest.send_weekly_digests()
    (link,) = UNSUBSCRIBE_LINK.findall(mail.outbox[0].body)
    return profile, link


def test_one_click_post_unsubscribes(client, new_items, skill):
    profile, link = _unsubscribe_link(skill, new_items)
    # What a mail program sends (RFC 8058): no session, no CSRF token.
    client.handler.enforce_csrf_checks = True
    response = client.post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "配信を停止しました" in response.text
    profile.refresh_from_db()
    assert not profile.receives_digest
    assert profile.consent, "only the digest stops"
    # And no digest next week, whatever is new.
    activity(title="読み聞かせボランティア交流会", summary="絵本の読み聞かせ")
    digest.send_weekly_digests()
    assert len(mail.outbox) == 1


def test_opening_the_link_only_shows_the_button(client, new_items, skill):
    profile, link = _unsubscribe_link(skill, new_items)
    response = client.get(link)
    assert response.status_code == 200
    assert '<form method="post">' in response.text and "<button" in response.text
    profile.refresh_from_db()
    assert profile.receives_digest, "a mail scanner opening the link stops nothing"
    # Pressing the button stops it.
    response = client.post(link)
    assert "配信を停止しました" in response.text
    profile.refresh_from_db()
    assert not profile.receives_digest


@pytest.mark.parametrize("token", ["garbage", "x" * 300, "IjEyMyI:tampered"])
def test_a_bad_token_is_refused(client, db, token):
    url = reverse("matching_digest_unsubscribe", args=[token])
    assert client.get(url).status_code == 400
    response = client.post(url)
    assert response.status_code == 400
    assert 'role="alert"' in response.text


def test_a_token_for_another_purpose_is_refused(client, skill):
    from django.core import signing

    profile = reader(skill)
    forged = signing.dumps(profile.public_id.hex)  # signed, but without the digest's salt
    response = client.post(reverse("matching_digest_unsubscribe", args=[forged]))
    assert response.status_code == 400
    profile.refresh_from_db()
    assert profile.receives_digest


def test_the_link_of_a_deleted_profile_says_nothing_is_sent(client, skill):
    profile = reader(skill)
    url = reverse("matching_digest_unsubscribe", args=[digest.unsubscribe_token(profile)])
    profile.delete()
    response = client.get(url)
    assert response.status_code == 200
    assert "<button" not in response.text.split("<main", 1)[-1].split("</main>")[0]


# -- the opt-in on the registration form ------------------------------------------


def _register(post, skill, **extra):
    data = {
        "skills": [skill.slug],
        "interests": "絵本",
        "max_km": "3",
        "contact-name": "武蔵野 花子",
        "contact-email": "optin@example.jp",
        "contact-consent": "on",
        **extra,
    }
    response = post(reverse("matching_register"), data)
    assert response.status_code == 302
    return ResidentProfile.objects.get(email="optin@example.jp")


def test_the_registration_form_offers_the_digest_unticked(client, skill):
    response = client.get(reverse("matching_find"), {"interests": "絵本"})
    field = re.search(r'<input[^>]*name="contact-receives_digest"[^>]*>', response.text)
    assert field and "checked" not in field.group(0)
    field_id = re.search(r'id="([^"]+)"', field.group(0)).group(1)
    assert f'<label class="checkbox-label" for="{field_id}">' in response.text


def test_ticking_the_digest_takes_effect_once_the_address_is_confirmed(post, skill, new_items):
    profile = _register(post, skill, **{"contact-receives_digest": "on"})
    assert profile.receives_digest
    confirm_link = re.search(r"(/matching/confirm/\S+/)", mail.outbox[-1].body).group(1)
    mail.outbox.clear()
    digest.send_weekly_digests()
    assert not mail.outbox, "no digest before the address is confirmed"
    post(confirm_link, {})
    digest.send_weekly_digests()
    (message,) = mail.outbox
    assert message.to == ["optin@example.jp"]


def test_the_digest_is_off_unless_ticked(post, skill):
    assert not _register(post, skill).receives_digest
