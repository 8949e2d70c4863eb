"""「あなたに合う活動を探す」, registration with e-mail confirmation, and
「参加してみたい」, through the Django test client (the browser journeys are in
tests/browser)."""

import datetime
import io
import re

import pytest

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cms.infrastructure.models import PendingTask
from cms.opportunities.models import OpportunityPage
from matching.engine.slots import SLOT_CODES
from matching.models import AccessToken, PendingInterest, ResidentProfile, Suggestion

FIND = reverse("matching_find")
PROFILE = {
    "skills": ["reading-aloud", "childcare"],
    "interests": "子育て",
    "slots": ["tue-am", "thu-am"],
    "area": "kichijoji-honcho",
    "max_km": "3",
}


@pytest.fixture
def opportunity(civic_data):
    return OpportunityPage.objects.live().get(slug="sample-hiroba-yomikikase")


def test_the_form_alone_stores_nothing_and_shows_no_results(client, civic_data):
    response = client.get(FIND)
    assert response.status_code == 200
    assert "match-result" not in response.text
    assert 'value="mon-am" id="id_slots_0"' in response.text  # a plain checkbox grid


def test_results_are_ranked_with_reasons_and_store_nothing(client, civic_data):
    before = ResidentProfile.objects.count()
    response = client.get(FIND, PROFILE)
    assert response.status_code == 200
    rows = response.context["opportunity_rows"]
    assert rows, "opportunities are suggested"
    scores = [row["result"].score for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert rows[0]["page"].slug == "sample-hiroba-yomikikase"
    assert "スキル「読み聞かせ」が一致" in response.text
    assert response.context["group_rows"], "groups are suggested too"
    # The entered answers stay ticked, and the take-part link carries them.
    assert re.search(r'value="tue-am" id="id_slots_3" checked', response.text)
    assert "skills=reading-aloud" in response.context["profile_query"]
    assert ResidentProfile.objects.count() == before


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"interests": ""},
        {"skills": "no-such-skill"},
        {"slots": "mon-midnight"},
        {"area": "atlantis", "skills": "childcare"},
        {"max_km": "9999", "skills": "childcare"},
        {"interests": "あ" * 201},
    ],
)
def test_bad_answers_get_a_clear_error_not_a_500(client, civic_data, query):
    response = client.get(FIND, {"max_km": "3", **query})
    assert response.status_code == 400
    assert "error-summary" in response.text
    assert response.context.get("opportunity_rows") is None


def test_registration_is_confirmed_by_e_mail_before_suggestions_start(client, post, civic_data):
    data = {
        **PROFILE,
        "contact-name": "武蔵野 花子",
        "contact-email": "hanako@example.jp",
        "contact-consent": "on",
    }
    response = post(reverse("matching_register"), data)
    assert response.status_code == 302
    profile = ResidentProfile.objects.get(email="hanako@example.jp")
    assert profile.consent and profile.email_confirmed_at is None
    assert not profile.receives_suggestions and not profile.suggestions.exists()
    assert profile.registered_through == ResidentProfile.Channel.WEB  # purged if never confirmed
    assert sorted(profile.skills.values_list("slug", flat=True)) == sorted(PROFILE["skills"])
    assert profile.slots.count() == 2 and profile.home_area.slug == "kichijoji-honcho"

    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"]
    link = re.search(r"http://testserver(/matching/confirm/\S+/)", message.body).group(1)
    assert "hanako" not in link and str(profile.public_id) not in link
    # Opening the link only shows a button: mail scanners do not confirm.
    assert client.get(link).status_code == 200
    profile.refresh_from_db()
    assert profile.email_confirmed_at is None

    response = post(link, {})
    assert response.status_code == 200
    profile.refresh_from_db()
    assert profile.email_confirmed_at and profile.receives_suggestions
    assert profile.suggestions.filter(status=Suggestion.Status.NEW).exists()
    assert AccessToken.objects.get().used_at is not None, "the link is used up"


def test_registering_again_keeps_one_profile_per_address(post, civic_data):
    for interests in ("子育て", "環境"):
        data = {**PROFILE, "interests": interests, "contact-name": "花子"}
        post(
            reverse("matching_register"),
            {**data, "contact-email": "again@example.jp", "contact-consent": "on"},
        )
        link = re.search(r"(/matching/confirm/\S+/)", mail.outbox[-1].body).group(1)
        post(link, {})
    (profile,) = ResidentProfile.objects.filter(email="again@example.jp")
    assert profile.interests == "環境"


def test_registration_without_consent_keeps_what_was_typed(client, civic_data):
    data = {**PROFILE, "contact-name": "武蔵野 花子", "contact-email": "not-an-address"}
    response = client.post(reverse("matching_register"), data)
    assert response.status_code == 400
    assert not ResidentProfile.objects.filter(name="武蔵野 花子").exists()
    assert 'value="武蔵野 花子"' in response.text and 'value="not-an-address"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "contact-email_error" in response.text or "id_contact-email_error" in response.text
    assert not mail.outbox


@pytest.mark.parametrize("token", ["garbage", "x" * 300])
def test_broken_or_expired_confirmation_links_say_so(client, civic_data, token):
    response = client.get(reverse("matching_confirm", args=[token]))
    assert response.status_code == 400
    assert "matching/confirm.html" in [t.name for t in response.templates]


def test_expired_link_is_refused(client, post, civic_data):
    data = {**PROFILE, "contact-name": "x", "contact-email": "old@example.jp"}
    post(reverse("matching_register"), {**data, "contact-consent": "on"})
    link = re.search(r"(/matching/confirm/\S+/)", mail.outbox[-1].body).group(1)
    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    profile = ResidentProfile.objects.get(email="old@example.jp")
    response = client.post(link)
    assert response.status_code == 400 and response.context["invalid"]
    profile.refresh_from_db()
    assert profile.email_confirmed_at is None


@pytest.mark.parametrize("query", ["?print=large", "?utm_source=newsletter", "?fbclid=x"])
def test_other_parameters_do_not_submit_the_form(client, civic_data, query):
    response = client.get(FIND + query)
    assert response.status_code == 200
    assert "error-summary" not in response.text


def test_no_time_ticked_means_any_time(client, civic_data):
    any_time = client.get(FIND, {"skills": "childcare"}).context["opportunity_rows"]
    every_slot = client.get(FIND, {"skills": "childcare", "slots": list(SLOT_CODES)}).context[
        "opportunity_rows"
    ]
    assert [r["result"].score for r in any_time] == [r["result"].score for r in every_slot]


def test_opening_a_link_again_after_confirming_says_it_is_done(post, client, civic_data):
    for _ in range(2):
        data = {**PROFILE, "contact-name": "花子", "contact-email": "twice@example.jp"}
        post(reverse("matching_register"), {**data, "contact-consent": "on"})
    first, second = (re.search(r"(/matching/confirm/\S+/)", m.body).group(1) for m in mail.outbox)
    post(first, {})
    post(second, {})  # merged into the first profile and deleted
    response = client.get(second)
    assert response.status_code == 200 and response.context["confirmed"]
    assert ResidentProfile.objects.filter(email="twice@example.jp").count() == 1


def test_unconfirmed_profiles_are_purged_after_a_week_whatever_was_asked(civic_data):
    from matching.tasks import purge_unconfirmed_registrations

    web = {"registered_through": ResidentProfile.Channel.WEB, "consent": True}
    ResidentProfile.objects.create(name="古い", email="old@example.jp", **web)
    # 「参加してみたい」 in someone's name, never confirmed: no longer kept for 3 years.
    asked = ResidentProfile.objects.create(name="参加希望", email="ask@example.jp", **web)
    page = OpportunityPage.objects.live().first()
    Suggestion.objects.create(profile=asked, opportunity=page)
    PendingInterest.objects.create(profile=asked, opportunity=page, message="代わりに")
    confirmed = ResidentProfile.objects.create(
        name="確認済み", email="ok@example.jp", email_confirmed_at=timezone.now()
    )
    imported = ResidentProfile.objects.create(name="取り込み", key="office-1")
    # Entered by a coordinator from a phone call: the office's, never confirmed by mail.
    by_phone = ResidentProfile.objects.create(name="電話で登録", email="tel@example.jp")
    fresh = ResidentProfile.objects.create(name="新しい", email="new@example.jp", **web)
    week_ago = timezone.now() - datetime.timedelta(days=8)
    ResidentProfile.objects.exclude(pk=fresh.pk).update(created_at=week_ago)
    assert purge_unconfirmed_registrations.delay().get() == 2
    remaining = set(ResidentProfile.objects.values_list("pk", flat=True))
    assert remaining == {confirmed.pk, imported.pk, by_phone.pk, fresh.pk}
    assert (
        not PendingInterest.objects.exists()
        and not Suggestion.objects.filter(message="代わりに").exists()
    )


def _interest_link(message):
    return re.search(r"http://testserver(/matching/interest/confirm/\S+/)", message.body).group(1)


def test_taking_part_creates_a_suggestion_once_confirmed(client, post, civic_data, opportunity):
    url = reverse("matching_interest", args=[opportunity.pk])
    page = client.get(url, PROFILE)
    assert page.status_code == 200
    assert opportunity.title in page.text
    profile_query = page.context["profile_query"]
    response = post(
        url,
        {
            "profile": profile_query,
            "name": "吉祥寺 太郎",
            "email": "taro@example.jp",
            "phone": "0422-00-0000",
            "message": "土曜日も参加できます。",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert not Suggestion.objects.filter(opportunity=opportunity).exists(), "not before confirming"
    (message,) = mail.outbox
    assert message.to == ["taro@example.jp"] and opportunity.title in message.subject
    assert "吉祥寺 太郎" not in message.body and "土曜日も" not in message.body
    link = _interest_link(message)
    assert "taro" not in link

    thanks = client.get(response["Location"])
    assert opportunity.title in thanks.text
    assert "taro@example.jp" not in thanks.text and "0422-00-0000" not in thanks.text
    assert "taro@example.jp" not in client.get(opportunity.url).text

    # Opening the link shows a button (mail scanners do not confirm), and the
    # message that will reach the office: whoever filled the form may not be
    # the address's owner.
    opened = client.get(link)
    assert opened.status_code == 200 and "土曜日も参加できます。" in opened.text
    assert not Suggestion.objects.filter(opportunity=opportunity).exists()
    assert post(link, {}).status_code == 200
    suggestion = Suggestion.objects.get(profile__email="taro@example.jp")
    assert suggestion.opportunity.specific == opportunity
    assert suggestion.source == Suggestion.Source.RESIDENT
    assert suggestion.status == Suggestion.Status.NEW
    assert suggestion.message == "土曜日も参加できます。"
    assert suggestion.score > 0 and "スキル「読み聞かせ」が一致" in suggestion.reasons
    assert suggestion.profile.email_confirmed_at is not None
    # The link is used up: opened again, it says it is done and changes nothing.
    again = post(link, {})
    assert again.status_code == 200 and again.context["confirmed"]
    assert Suggestion.objects.filter(opportunity=opportunity).count() == 1


def test_taking_part_twice_does_not_duplicate(post, civic_data, opportunity):
    url = reverse("matching_interest", args=[opportunity.pk])
    data = {"name": "太郎", "email": "Twice@example.jp", "consent": "on", "message": "一回目"}
    first = post(url, data)
    second = post(url, {**data, "email": "twice@example.jp", "message": "二回目"})
    assert first["Location"] == second["Location"]
    assert len(mail.outbox) == 2, "each request is confirmed"
    for message in mail.outbox:
        post(_interest_link(message), {})
    (suggestion,) = Suggestion.objects.filter(opportunity=opportunity)
    assert "一回目" in suggestion.message and "二回目" in suggestion.message
    assert ResidentProfile.objects.filter(email__iexact="twice@example.jp").count() == 1


def test_a_stranger_cannot_reopen_a_declined_suggestion(client, post, civic_data, opportunity):
    resident = ResidentProfile.objects.create(
        name="花子", email="hanako@example.jp", consent=True, email_confirmed_at=timezone.now()
    )
    declined = Suggestion.objects.create(
        profile=resident, opportunity=opportunity, status=Suggestion.Status.DECLINED
    )
    url = reverse("matching_interest", args=[opportunity.pk])
    stranger = {"name": "別の名前", "email": "hanako@example.jp", "consent": "on"}
    response = post(url, {**stranger, "message": "今度は"})
    unknown = post(url, {**stranger, "email": "nobody@example.jp"})
    # The same answer for a resident's address and an unknown one.
    assert response.status_code == unknown.status_code == 302
    assert client.get(response["Location"]).text == client.get(unknown["Location"]).text
    declined.refresh_from_db()
    assert declined.status == Suggestion.Status.DECLINED and declined.message == ""
    assert not declined.events.exists()

    # Only the owner of the address, following the link, asks again.
    message = next(m for m in mail.outbox if m.to == ["hanako@example.jp"])
    assert "今度は" not in message.body and "別の名前" not in message.body
    post(_interest_link(message), {})
    declined.refresh_from_db()
    assert declined.status == Suggestion.Status.NEW
    assert declined.source == Suggestion.Source.RESIDENT and declined.message == "今度は"
    assert "参加" in declined.history
    resident.refresh_from_db()
    assert resident.name == "花子", "an unverified form does not change a stored profile"


def test_a_failing_mail_server_loses_nothing(post, civic_data, opportunity, settings, caplog):
    settings.EMAIL_BACKEND = "tests.mail.BrokenEmailBackend"
    response = post(
        reverse("matching_interest", args=[opportunity.pk]),
        {"name": "太郎", "email": "taro@example.jp", "consent": "on"},
    )
    assert response.status_code == 302
    assert PendingInterest.objects.filter(profile__email="taro@example.jp").exists()
    assert "kept to be sent again" in caplog.text
    assert mail.outbox == []
    assert not AccessToken.objects.exists(), "a link never sent opens nothing"

    # The mail server is back: the kept e-mail goes out on the next requeue.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("requeue_pending_tasks", stdout=io.StringIO(), stderr=io.StringIO())
    (message,) = mail.outbox
    assert message.to == ["taro@example.jp"] and opportunity.title in message.subject
    assert not PendingTask.objects.exists()
    post(_interest_link(message), {})
    assert Suggestion.objects.filter(profile__email="taro@example.jp").exists()


def test_take_part_form_errors_lose_nothing(client, civic_data, opportunity):
    url = reverse("matching_interest", args=[opportunity.pk])
    response = client.post(
        url, {"name": "", "email": "taro@", "message": "よろしく", "consent": ""}
    )
    assert response.status_code == 400
    assert "よろしく" in response.text and 'value="taro@"' in response.text
    assert "error-summary" in response.text
    assert not PendingInterest.objects.exists()


def test_closed_or_unknown_opportunities(client, civic_data, opportunity):
    assert client.get(reverse("matching_interest", args=[999_999])).status_code == 404
    opportunity.is_open = False
    opportunity.save_revision().publish()
    response = client.post(
        reverse("matching_interest", args=[opportunity.pk]),
        {"name": "太郎", "email": "t@example.jp", "consent": "on"},
    )
    assert response.status_code == 200 and response.context["closed"]
    assert not PendingInterest.objects.exists()
