"""The public forms against spam: the honeypot and the rate limits."""

import pytest

from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from wagtail.models import Page

from cms.core.models import PageFeedback
from cms.infrastructure.abuse import client_ip, mailbox_of
from cms.opportunities.models import OpportunityPage
from matching.models import PendingInterest, ResidentProfile, Suggestion

pytestmark = pytest.mark.django_db

PROFILE = {"skills": ["childcare"], "interests": "子育て", "max_km": "3"}
TOO_MANY = "しばらくの間に多くの送信がありました"


@pytest.fixture
def interest_url(civic_data):
    page = OpportunityPage.objects.live().get(slug="sample-hiroba-yomikikase")
    return reverse("matching_interest", args=[page.pk])


def interest(email, **extra):
    return {"name": "吉祥寺 太郎", "email": email, "consent": "on", **extra}


def registration(email, **extra):
    return {
        **PROFILE,
        "contact-name": "武蔵野 花子",
        "contact-email": email,
        "contact-consent": "on",
        **extra,
    }


# -- honeypot -----------------------------------------------------------------


def test_a_bot_filling_the_hidden_field_is_thanked_and_dropped(post, interest_url):
    response = post(interest_url, interest("bot@example.jp", website="http://spam.example/"))
    assert response.status_code == 302  # answered as if accepted
    assert not Suggestion.objects.filter(profile__email="bot@example.jp").exists()
    assert not ResidentProfile.objects.filter(email="bot@example.jp").exists()
    assert mail.outbox == []


def test_a_bot_registering_is_dropped(post, civic_data):
    response = post(
        reverse("matching_register"),
        registration("bot@example.jp", **{"contact-website": "buy now"}),
    )
    assert response.status_code == 302
    assert not ResidentProfile.objects.filter(email="bot@example.jp").exists()
    assert mail.outbox == []


def test_a_bot_sending_page_feedback_is_dropped(client):
    page = Page.objects.get(slug="about")
    answers = {"usefulness": "useful", "findability": "easy", "comment": "spam"}
    response = client.post(f"/feedback/{page.pk}/", {**answers, "website": "x"})
    assert response.status_code == 302
    assert not PageFeedback.objects.exists()


def test_the_hidden_field_is_hidden_from_people(client, interest_url):
    html = client.get(interest_url).text
    assert '<div class="honeypot">' in html and 'name="website"' in html
    css = client.get("/static/css/site.css")
    assert b".honeypot { display: none" in b"".join(css.streaming_content)


# -- rate limits ----------------------------------------------------------------


def test_one_address_can_ask_five_times_an_hour(post, client, interest_url):
    for _attempt in range(5):
        assert post(interest_url, interest("busy@example.jp")).status_code == 302
    response = post(interest_url, interest("busy@example.jp", message="六回目の連絡です"))
    assert response.status_code == 429
    # Everything typed is still in the form, with the reason.
    assert TOO_MANY in response.text
    assert "六回目の連絡です" in response.text and 'value="busy@example.jp"' in response.text
    requests = PendingInterest.objects.filter(profile__email="busy@example.jp")
    assert requests.count() == 5 and not requests.filter(message__contains="六回目").exists()
    assert len(mail.outbox) == 5


@pytest.mark.parametrize(
    "spellings",
    [
        [f"busy+{n}@example.jp" for n in range(6)],
        ["busy@example.jp", "BUSY@example.jp", " Busy@EXAMPLE.jp", "busy+x@Example.JP"] * 2,
        ["b.u.s.y@gmail.com", "busy@googlemail.com", "bu.sy+1@gmail.com"] * 2,
    ],
)
def test_plus_addressing_does_not_get_past_the_limit(post, interest_url, spellings):
    statuses = [post(interest_url, interest(address)).status_code for address in spellings[:6]]
    assert statuses == [302] * 5 + [429]
    assert len(mail.outbox) == 5


@pytest.mark.parametrize(
    "address, mailbox",
    [
        ("Hanako+Events@Example.JP", "hanako@example.jp"),
        ("ｈａｎａｋｏ＠example.jp", "hanako@example.jp"),
        ("h.a.n.a.k.o+1@GoogleMail.com", "hanako@gmail.com"),
        ("h.anako@example.jp", "h.anako@example.jp"),  # dots matter elsewhere
        ("not-an-address", "not-an-address"),
    ],
)
def test_the_mailbox_an_address_reaches(address, mailbox):
    assert mailbox_of(address) == mailbox


def test_one_client_sending_for_many_addresses_is_stopped(post, interest_url):
    statuses = [
        post(interest_url, interest(f"person{n}@example.jp")).status_code for n in range(21)
    ]
    assert statuses == [302] * 20 + [429]
    assert PendingInterest.objects.filter(profile__email__startswith="person").count() == 20


def test_forms_with_errors_do_not_count(post, interest_url):
    for _attempt in range(10):
        assert post(interest_url, {"name": "", "email": "slow@example.jp"}).status_code == 400
    assert post(interest_url, interest("slow@example.jp")).status_code == 302


def test_registration_is_limited_per_address(post, civic_data):
    url = reverse("matching_register")
    for _attempt in range(5):
        assert post(url, registration("again@example.jp")).status_code == 302
    response = post(url, registration("Again@Example.jp"))
    assert response.status_code == 429
    assert TOO_MANY in response.text and "武蔵野 花子" in response.text


def test_page_feedback_is_limited_per_client(client):
    page = Page.objects.get(slug="about")
    answers = {"usefulness": "useful", "findability": "easy", "comment": ""}
    statuses = [client.post(f"/feedback/{page.pk}/", answers).status_code for _ in range(21)]
    assert statuses == [302] * 20 + [429]
    assert PageFeedback.objects.count() == 20


def test_behind_the_proxy_each_resident_has_their_own_limit(post, interest_url, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for n in range(20):
        post(interest_url, interest(f"a{n}@example.jp"), x_real_ip="203.0.113.5")
    assert post(interest_url, interest("a@example.jp"), x_real_ip="203.0.113.5").status_code == 429
    assert post(interest_url, interest("b@example.jp"), x_real_ip="203.0.113.6").status_code == 302


def test_without_a_configured_proxy_the_header_is_not_trusted(post, interest_url):
    for n in range(20):
        post(interest_url, interest(f"c{n}@example.jp"), x_real_ip=f"198.51.100.{n}")
    response = post(interest_url, interest("c@example.jp"), x_real_ip="198.51.100.99")
    assert response.status_code == 429


@pytest.mark.parametrize(
    "header, expected",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("10.0.0.1, 203.0.113.7", "203.0.113.7"),  # X-Forwarded-For: the proxy's entry
        ("2001:db8::1", "2001:db8::1"),
        ("not an address", "127.0.0.1"),
        ("", "127.0.0.1"),
    ],
)
def test_client_address_from_the_proxy_header(settings, header, expected):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected
