"""Residents' personal data: see, download and delete it through a link sent
to their address; deleted after the retention period; every access logged."""

import datetime
import json
import re

import pytest

from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.activities.models import ActivityIndexPage, ApplicationMode
from cms.applications import booking
from cms.applications.models import Application
from matching import privacy, services
from matching.models import (
    AccessToken,
    PersonalDataAccess,
    ResidentProfile,
    Suggestion,
    SuggestionEvent,
    email_digest,
)
from matching.tasks import purge_expired_personal_data, send_my_data_link
from tests.factories import ActivityPageFactory

pytestmark = pytest.mark.django_db
Action = PersonalDataAccess.Action


@pytest.fixture
def resident(resident):
    """The shared resident, with a request under way: a message and a note."""
    profile = resident
    (suggestion,) = services.refresh_suggestions(profile)[:1]
    suggestion.message = "土曜日も参加できます"
    suggestion.save()
    services.change_status(suggestion, "contacted", note="電話済み")
    return profile


def _link_from_mail():
    (message,) = mail.outbox
    return re.search(r"http://testserver(/matching/my-data/\S+/)", message.body).group(1)


@pytest.fixture
def opened(client, post, resident):
    """The resident asked for a link and followed it: this client's session sees the data."""
    post(reverse("matching_my_data_request"), {"email": "hanako@example.jp"})
    response = client.post(_link_from_mail())
    assert response.status_code == 302 and response["Location"] == reverse("matching_my_data")
    return client


def test_a_resident_gets_a_link_and_sees_everything_held(client, post, resident):
    response = post(reverse("matching_my_data_request"), {"email": "Hanako@Example.jp"})
    assert response.status_code == 302
    link = _link_from_mail()
    assert mail.outbox[0].to == ["hanako@example.jp"]  # the address the office holds
    assert "hanako" not in link.lower()

    # Opening the link shows a button (mail scanners open links too) and shows no data.
    button = client.get(link)
    assert button.status_code == 200 and "武蔵野 花子" not in button.text
    assert '<form method="post">' in button.text
    opened = client.post(link)
    # The token is used up for a session; the page's URL has no token.
    assert opened.status_code == 302 and opened["Location"] == "/matching/my-data/yours/"
    page = client.get(opened["Location"])
    assert page.status_code == 200
    html = page.text
    for held in ("武蔵野 花子", "hanako@example.jp", "0422-00-0000", "読み聞かせ", "木曜午前"):
        assert held in html, held
    assert "ひろばでの絵本の読み聞かせ" in html and "土曜日も参加できます" in html
    assert "電話済み" in html  # the office's notes are the resident's data too
    assert PersonalDataAccess.objects.filter(action=Action.RESIDENT_VIEWED).count() == 1
    assert page["Cache-Control"].startswith("max-age=0")
    assert link[len("/matching/my-data/") : -1] not in html


def test_an_unknown_address_gets_the_same_answer_and_no_mail(post, resident):
    response = post(reverse("matching_my_data_request"), {"email": "nobody@example.jp"})
    assert response.status_code == 302
    assert response["Location"] == reverse("matching_my_data_sent")
    assert mail.outbox == []


def test_a_bad_address_is_an_error_beside_the_field(client, resident):
    response = client.post(reverse("matching_my_data_request"), {"email": "hanako@"})
    assert response.status_code == 400
    assert "error-summary" in response.text and 'value="hanako@"' in response.text


def test_the_data_downloads_as_json(opened):
    response = opened.get(reverse("matching_my_data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="musashino-my-data-')
    data = json.loads(response.content)
    (profile,) = data["profiles"]
    assert profile["name"] == "武蔵野 花子" and profile["phone"] == "0422-00-0000"
    assert profile["skills"] == ["読み聞かせ"] and profile["available_times"] == [
        "火曜午前",
        "木曜午前",
    ]
    (suggestion,) = [s for s in profile["suggestions"] if s["message"]]
    assert suggestion["opportunity_or_group"] == "ひろばでの絵本の読み聞かせ"
    assert suggestion["status"] == "連絡済み" and "電話済み" in suggestion["coordinator_notes"]
    assert profile["receives_digest"] is False and data["applications"] == []
    assert PersonalDataAccess.objects.filter(action=Action.RESIDENT_EXPORTED).exists()


def test_requests_awaiting_confirmation_are_the_residents_data_too(client, post, resident):
    opportunity = resident.suggestions.first().opportunity
    url = reverse("matching_interest", args=[opportunity.pk])
    post(url, {"name": "花子", "email": "hanako@example.jp", "consent": "on", "message": "未確認"})
    mail.outbox.clear()
    post(reverse("matching_my_data_request"), {"email": "hanako@example.jp"})
    client.post(_link_from_mail())
    assert "未確認" in client.get(reverse("matching_my_data")).text
    (profile,) = json.loads(client.get(reverse("matching_my_data_export")).content)["profiles"]
    (request,) = profile["requests_awaiting_confirmation"]
    assert request["message"] == "未確認" and request["opportunity"] == opportunity.title


def test_deleting_removes_profile_suggestions_and_history(opened, post, resident):
    url = reverse("matching_my_data_delete")
    confirm = opened.get(url)
    assert confirm.status_code == 200 and "元に戻せません" in confirm.text
    assert ResidentProfile.objects.filter(pk=resident.pk).exists()  # only asked

    response = post(url)
    assert response.status_code == 200 and "削除しました" in response.text
    assert not ResidentProfile.objects.filter(email="hanako@example.jp").exists()
    assert not Suggestion.objects.filter(profile_id=resident.pk).exists()
    assert not SuggestionEvent.objects.filter(suggestion__profile_id=resident.pk).exists()
    entry = PersonalDataAccess.objects.get(action=Action.RESIDENT_DELETED)
    assert entry.record_ids == str(resident.pk)
    # The log keeps no personal data.
    assert "hanako" not in f"{entry.record_ids} {entry.detail} {entry.username}"
    assert opened.get(reverse("matching_my_data")).status_code == 400


# -- applications for activities --------------------------------------------------


@pytest.fixture
def lecture(db):
    """An upcoming lecture with one seat and a waiting list."""
    index = ActivityIndexPage.objects.live().first()
    page = ActivityPageFactory(
        parent=index,
        title="はじめてのスマートフォン講座",
        start_date=timezone.localdate() + datetime.timedelta(days=14),
        start_time=datetime.time(10, 0),
        capacity=1,
        application_mode=ApplicationMode.ONLINE,
    )
    page.save_revision().publish()
    return page


def _apply(activity, name, email, **details):
    return booking.confirm(booking.apply(activity, name=name, email=email, **details))


def test_an_applicant_without_a_registration_sees_exports_and_deletes(client, post, lecture):
    mine = _apply(
        lecture,
        "井の頭 三郎",
        "saburo@example.jp",
        name_kana="いのかしら さぶろう",
        phone="0422-51-0000",
        answers=[{"question": "託児を希望しますか", "answer": "2歳の子が1人"}],
        note="補聴器を使っています",
    )
    waiting = _apply(lecture, "吉祥寺 次郎", "jiro@example.jp")
    assert (mine.status, waiting.status) == (Application.Status.BOOKED, "waitlisted")

    post(reverse("matching_my_data_request"), {"email": "Saburo@Example.jp"})
    link = _link_from_mail()
    assert mail.outbox[0].to == ["saburo@example.jp"]
    assert client.post(link)["Location"] == reverse("matching_my_data")
    page = client.get(reverse("matching_my_data")).text
    for held in (lecture.title, "井の頭 三郎", "いのかしら さぶろう", "0422-51-0000"):
        assert held in page, held
    assert "託児を希望しますか" in page and "2歳の子が1人" in page and "補聴器" in page
    assert "吉祥寺 次郎" not in page and "jiro@" not in page, "nobody else's application"
    viewed = PersonalDataAccess.objects.get(action=Action.RESIDENT_VIEWED)
    assert (viewed.record_type, viewed.record_ids) == ("application", str(mine.pk))

    data = json.loads(client.get(reverse("matching_my_data_export")).content)
    assert data["profiles"] == []
    (application,) = data["applications"]
    assert application["activity"] == lecture.title
    assert application["name"] == "井の頭 三郎" and application["email"] == "saburo@example.jp"
    assert application["answers"] == [{"question": "託児を希望しますか", "answer": "2歳の子が1人"}]
    assert application["number_of_people"] == 1
    assert application["status"] == str(Application.Status.BOOKED.label)
    assert PersonalDataAccess.objects.filter(
        action=Action.RESIDENT_EXPORTED, record_type="application"
    ).exists()

    confirm = client.get(reverse("matching_my_data_delete"))
    assert confirm.status_code == 200 and lecture.title in confirm.text  # what it cancels
    mail.outbox.clear()
    assert post(reverse("matching_my_data_delete")).status_code == 200

    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == Application.Status.CANCELLED and mine.anonymised_at is not None
    assert (mine.name, mine.email, mine.phone, mine.answers, mine.note) == ("", "", "", [], "")
    assert waiting.status == Application.Status.BOOKED, "the seat went to the waiting list"
    assert [message.to for message in mail.outbox] == [["jiro@example.jp"]]
    assert lecture.applications.count() == 2, "the rows stay, for the office's numbers"
    deleted = PersonalDataAccess.objects.get(action=Action.RESIDENT_DELETED)
    assert (deleted.record_type, deleted.record_ids) == ("application", str(mine.pk))
    assert not AccessToken.objects.exists(), "the address's links go too"
    assert client.get(reverse("matching_my_data")).status_code == 400


def test_a_registered_residents_applications_are_on_the_same_page(opened, post, lecture):
    _apply(lecture, "武蔵野 花子", "hanako@example.jp", party_size=1)
    page = opened.get(reverse("matching_my_data")).text
    assert "ひろばでの絵本の読み聞かせ" in page and lecture.title in page
    data = json.loads(opened.get(reverse("matching_my_data_export")).content)
    assert len(data["profiles"]) == 1 and len(data["applications"]) == 1

    post(reverse("matching_my_data_delete"))
    assert not ResidentProfile.objects.filter(email="hanako@example.jp").exists()
    assert not lecture.applications.filter(email="hanako@example.jp").exists()
    assert lecture.applications.get().status == Application.Status.CANCELLED


def test_an_applicants_address_gets_the_same_answer_and_a_link(lecture):
    _apply(lecture, "井の頭 三郎", "saburo@example.jp")
    results = [send_my_data_link(email_digest(a)) for a in ("saburo@example.jp", "nobody@x.jp")]
    assert results[0] == results[1], "Celery's log of the result says nothing"
    assert [message.to for message in mail.outbox] == [["saburo@example.jp"]]


def test_a_link_asked_for_still_goes_when_only_applications_remain(resident, lecture):
    from cms.infrastructure.models import PendingTask

    _apply(lecture, "武蔵野 花子", "hanako@example.jp")
    PendingTask.objects.create(
        task_name="matching.tasks.send_my_data_link", args=[resident.email_digest]
    )
    privacy.erase([resident])  # e.g. by the office, while the mail server was down
    assert PendingTask.objects.filter(task_name="matching.tasks.send_my_data_link").exists()


def test_anonymised_applications_are_not_shown(post, lecture):
    application = _apply(lecture, "井の頭 三郎", "saburo@example.jp")
    Application.objects.filter(pk=application.pk).update(anonymised_at=timezone.now())
    post(reverse("matching_my_data_request"), {"email": "saburo@example.jp"})
    assert mail.outbox == []


def test_without_the_link_the_pages_show_nothing(client, resident):
    for name in ("matching_my_data", "matching_my_data_export", "matching_my_data_delete"):
        response = client.get(reverse(name))
        assert response.status_code == 400 and 'class="form-error"' in response.text
        assert "武蔵野 花子" not in response.text
    assert client.post(reverse("matching_my_data_delete")).status_code == 400
    assert ResidentProfile.objects.filter(pk=resident.pk).exists()


@pytest.mark.parametrize("token", ["nonsense", "hanako@example.jp:1tZ:forged", "x" * 300])
def test_broken_links_say_so(client, token):
    response = client.get(reverse("matching_my_data_link", args=[token]))
    assert response.status_code == 400 and 'class="form-error"' in response.text
    assert reverse("matching_my_data_request") in response.text  # offers a new link


def test_a_link_opens_once(client, post, resident):
    post(reverse("matching_my_data_request"), {"email": "hanako@example.jp"})
    link = _link_from_mail()
    assert client.get(link).status_code == 200  # a mail scanner's visit uses nothing
    assert client.post(link).status_code == 302
    other_browser = Client()
    assert other_browser.get(link).status_code == 400
    assert other_browser.post(link).status_code == 400
    assert "武蔵野 花子" not in other_browser.get(reverse("matching_my_data")).text


def test_links_expire_after_a_day(client, post, resident):
    post(reverse("matching_my_data_request"), {"email": "hanako@example.jp"})
    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.post(_link_from_mail()).status_code == 400


def test_the_session_ends_after_half_an_hour(opened, settings, monkeypatch):
    later = timezone.now() + datetime.timedelta(minutes=settings.MY_DATA_SESSION_MINUTES + 1)
    monkeypatch.setattr("matching.my_data_views.timezone.now", lambda: later)
    response = opened.get(reverse("matching_my_data"))
    assert response.status_code == 400 and "武蔵野 花子" not in response.text


# -- retention ------------------------------------------------------------------


def test_profiles_untouched_for_the_retention_period_are_purged(resident, settings):
    settings.MATCHING_RETENTION_DAYS = 365
    now = timezone.now()
    old = ResidentProfile.objects.create(name="古い登録", email="old@example.jp")
    busy = ResidentProfile.objects.create(name="相談中", email="busy@example.jp")
    Suggestion.objects.create(profile=busy, opportunity=resident.suggestions.first().opportunity)
    long_ago = now - datetime.timedelta(days=400)
    ResidentProfile.objects.filter(pk__in=[old.pk, busy.pk]).update(updated_at=long_ago)
    PersonalDataAccess.objects.create(action=Action.LISTED, record_type="x")
    five_years_ago = now - datetime.timedelta(days=2000)
    PersonalDataAccess.objects.filter(record_type="x").update(at=five_years_ago)

    assert purge_expired_personal_data.delay().get() == {"profiles": 1, "log_lines": 1}
    remaining = set(ResidentProfile.objects.values_list("email", flat=True))
    # A profile with a suggestion still moving is kept, and so is a recent one.
    assert "old@example.jp" not in remaining
    assert {"busy@example.jp", "hanako@example.jp"} <= remaining
    assert PersonalDataAccess.objects.get(action=Action.PURGED).record_ids == str(old.pk)


# -- coordinators' access -----------------------------------------------------------


@pytest.fixture
def coordinator_client(client, django_user_model):
    user = django_user_model.objects.create_user("coord", password="x")
    user.groups.add(Group.objects.get(name="Coordinators"))
    client.force_login(user)
    return client


def _log():
    return list(PersonalDataAccess.objects.order_by("pk").values_list("username", "action"))


def test_coordinators_access_is_logged(coordinator_client, resident):
    base = "/admin/snippets/matching/"
    suggestion = resident.suggestions.first()
    assert coordinator_client.get(f"{base}residentprofile/").status_code == 200
    assert coordinator_client.get(f"{base}residentprofile/edit/{resident.pk}/").status_code == 200
    assert coordinator_client.get(f"{base}suggestion/inspect/{suggestion.pk}/").status_code == 200
    assert coordinator_client.get(f"{base}suggestion/?export=csv").status_code == 200
    assert _log() == [
        ("coord", Action.LISTED),
        ("coord", Action.VIEWED),
        ("coord", Action.VIEWED),
        ("coord", Action.EXPORTED),
    ]
    listed = PersonalDataAccess.objects.filter(action=Action.LISTED).get()
    assert str(resident.pk) in listed.record_ids.split(",")


def test_deleting_in_the_admin_is_logged(admin_client_ja, resident):
    url = f"/admin/snippets/matching/residentprofile/delete/{resident.pk}/"
    assert admin_client_ja.get(url).status_code == 200
    assert not PersonalDataAccess.objects.filter(action=Action.DELETED).exists()
    admin_client_ja.post(url)
    assert not ResidentProfile.objects.filter(pk=resident.pk).exists()
    entry = PersonalDataAccess.objects.get(action=Action.DELETED)
    assert (entry.username, entry.record_ids) == ("admin", str(resident.pk))


def test_nobody_can_edit_the_log(admin_client_ja, resident):
    privacy.log_access(Action.VIEWED, "resident profile", [resident])
    entry = PersonalDataAccess.objects.get()
    base = "/admin/snippets/matching/personaldataaccess/"
    listing = admin_client_ja.get(base)
    assert listing.status_code == 200 and "resident profile" in listing.text
    for url in (f"{base}add/", f"{base}edit/{entry.pk}/", f"{base}delete/{entry.pk}/"):
        response = admin_client_ja.get(url)
        assert response.status_code in (302, 403), url
    assert PersonalDataAccess.objects.filter(pk=entry.pk).exists()
