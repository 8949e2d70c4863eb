"""Residents' links and what the system keeps of residents: random single-use
tokens stored hashed, no personal data in task arguments, logs or kept tasks,
and erasure that leaves no name behind."""

import hashlib
import io
import logging
import re

import pytest

from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from wagtail.contrib.search_promotions.models import Query
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from cms.infrastructure.models import PendingTask
from cms.infrastructure.redaction import RedactPersonalData
from cms.opportunities.models import OpportunityPage
from cms.settings import base as base_settings
from matching import privacy
from matching.models import (
    AccessToken,
    PersonalDataAccess,
    ResidentProfile,
    Suggestion,
    email_digest,
)
from matching.tasks import purge_expired_personal_data
from tests.matching.factories import ResidentProfileFactory, SuggestionFactory

pytestmark = pytest.mark.django_db
Action = PersonalDataAccess.Action

NAME, EMAIL, PHONE = "井の頭 三郎", "saburo.inokashira@example.jp", "0422-51-0000"
PROFILE = {"skills": ["reading-aloud"], "interests": "子育て", "max_km": "3"}
LINK = re.compile(r"http://testserver(/matching/\S+/(\S+)/)")


@pytest.fixture
def opportunity(civic_data):
    return OpportunityPage.objects.live().get(slug="sample-hiroba-yomikikase")


def _links():
    """(path, raw token) of every link mailed so far."""
    return [LINK.search(message.body).groups() for message in mail.outbox]


def test_a_link_holds_only_a_random_token_stored_as_its_digest(post, civic_data):
    data = {**PROFILE, "contact-name": NAME, "contact-email": EMAIL, "contact-consent": "on"}
    post(reverse("matching_register"), data)
    ((path, raw),) = _links()
    assert len(raw) >= 43 and "saburo" not in path
    (token,) = AccessToken.objects.all()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token.purpose == AccessToken.Purpose.CONFIRM_REGISTRATION
    assert token.expires_at > timezone.now() and token.used_at is None
    stored = " ".join(str(value) for value in AccessToken.objects.values().get().values())
    assert raw not in stored


def _all_text(record):
    """Everything a log handler could write about a record."""
    return " ".join([record.getMessage(), repr(record.args), repr(vars(record))])


def test_no_personal_data_or_token_in_logs_or_kept_tasks(
    client, post, opportunity, settings, caplog
):
    resident = ResidentProfileFactory(
        name="武蔵野 花子", email="hanako@example.jp", phone="0422-00-0001"
    )
    resident.email_confirmed_at = timezone.now()
    resident.save()
    caplog.set_level(logging.DEBUG)
    for name in ("celery", "celery.app.trace", "django", "django.request", "matching", "cms"):
        caplog.set_level(logging.DEBUG, logger=name)
    # As in LOGGING (test settings configure none): django.template's DEBUG
    # records dump whole template contexts, so production keeps it at INFO.
    caplog.set_level(
        base_settings.LOGGING["loggers"]["django.template"]["level"], "django.template"
    )

    # With the mail server down, every e-mail task is kept for later.
    settings.EMAIL_BACKEND = "tests.mail.BrokenEmailBackend"
    register = {**PROFILE, "contact-name": NAME, "contact-email": EMAIL, "contact-phone": PHONE}
    post(reverse("matching_register"), {**register, "contact-consent": "on"})
    interest = reverse("matching_interest", args=[opportunity.pk])
    stranger = {"name": "他人", "email": "hanako@example.jp", "consent": "on"}
    post(interest, stranger)
    post(interest, {"name": NAME, "email": EMAIL, "phone": PHONE, "consent": "on"})
    post(reverse("matching_my_data_request"), {"email": "Hanako@Example.jp"})
    assert PendingTask.objects.count() == 4 and mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("requeue_pending_tasks", stdout=io.StringIO(), stderr=io.StringIO())
    links = _links()
    assert len(links) == 4
    for path, _raw in links:
        post(path)
    client.get(reverse("matching_my_data"))
    client.get(reverse("matching_my_data_export"))
    post(reverse("matching_my_data_delete"))

    personal = [NAME, EMAIL, "saburo", PHONE, "武蔵野 花子", "hanako@", "0422-00-0001"]
    raw_tokens = [raw for _path, raw in links]
    assert any(r.name.startswith("celery.app.trace") for r in caplog.records), "tasks were traced"
    redact = RedactPersonalData()
    for record in caplog.records:
        # No personal data in any record, even before the handlers' filter.
        leaked = [value for value in personal if value.lower() in _all_text(record).lower()]
        assert not leaked, (leaked, record.name, record.getMessage())
        # A (used) link's path can be in a request's record (django.request,
        # template debugging); the filter every handler has takes it out.
        redact.filter(record)
        assert not [raw for raw in raw_tokens if raw in _all_text(record)], record.getMessage()
    assert not PendingTask.objects.exists()


@pytest.mark.parametrize("backend", ["BrokenEmailBackend", "RefusingEmailBackend"])
def test_the_kept_tasks_hold_no_personal_data(post, opportunity, settings, backend):
    settings.EMAIL_BACKEND = f"tests.mail.{backend}"
    register = {**PROFILE, "contact-name": NAME, "contact-email": EMAIL, "contact-phone": PHONE}
    post(reverse("matching_register"), {**register, "contact-consent": "on"})
    interest = {"name": NAME, "email": EMAIL, "consent": "on"}
    post(reverse("matching_interest", args=[opportunity.pk]), interest)
    post(reverse("matching_my_data_request"), {"email": EMAIL})
    kept = list(PendingTask.objects.values("task_name", "args", "kwargs", "last_error"))
    assert {row["task_name"].rsplit(".", 1)[1] for row in kept} == {
        "send_registration_confirmation",
        "send_interest_confirmation",
        "send_my_data_link",
    }
    assert "saburo" not in str(kept).lower() and NAME not in str(kept) and PHONE not in str(kept)
    assert not AccessToken.objects.exists(), "a link never sent is not kept either"


def test_every_address_gets_the_same_answer_and_the_same_work(
    client, civic_data, django_capture_on_commit_callbacks
):
    ResidentProfileFactory(email="known@example.jp")
    answers = []
    for address in ("known@example.jp", "unknown@example.jp"):
        with django_capture_on_commit_callbacks() as queued:
            response = client.post(reverse("matching_my_data_request"), {"email": address})
        answers.append((response.status_code, response["Location"], len(queued)))
    # The view queues the work for any address; only the task looks the address up.
    assert answers[0] == answers[1] == (302, reverse("matching_my_data_sent"), 1)
    # Nor does the task's result, which Celery's log prints ("succeeded: …").
    from matching.tasks import send_my_data_link

    results = [send_my_data_link(email_digest(a)) for a in ("known@example.jp", "nobody@x.jp")]
    assert len(mail.outbox) == 1 and results[0] == results[1]


def test_the_address_digest_follows_the_address(civic_data):
    profile = ResidentProfileFactory(email="Old@Example.jp")
    assert profile.email_digest == email_digest("old@example.jp") != ""
    profile.email = "new@example.jp"
    profile.save(update_fields=["email"])
    profile.refresh_from_db()
    assert profile.email_digest == email_digest("new@example.jp")
    assert email_digest("new@example.jp") != hashlib.sha256(b"new@example.jp").hexdigest()

    # Rows stored before the digest existed get theirs from the migration.
    ResidentProfile.objects.filter(pk=profile.pk).update(email_digest="")
    migration = __import__("matching.migrations.0007_access_tokens", fromlist=["digest_addresses"])
    migration.digest_addresses(apps, None)
    profile.refresh_from_db()
    assert profile.email_digest == email_digest("new@example.jp")


def test_used_and_expired_links_are_purged_daily(civic_data):
    profile = ResidentProfileFactory()
    now = timezone.now()
    for n, (expires, used) in enumerate(
        [(now + timezone.timedelta(hours=1), None), (now, None), (now, now)]
    ):
        AccessToken.objects.create(
            purpose=AccessToken.Purpose.MY_DATA,
            digest=f"{n:064d}",
            profile=profile,
            expires_at=expires,
            used_at=used,
        )
    AccessToken.objects.filter(used_at__isnull=False).update(
        used_at=now - timezone.timedelta(days=2)
    )
    purge_expired_personal_data.delay().get()
    assert list(AccessToken.objects.values_list("digest", flat=True)) == [f"{0:064d}"]


# -- erasure -----------------------------------------------------------------------


@pytest.fixture
def named(opportunity, admin_user):
    """A resident whose name is in Wagtail's log (as entries written before
    the admin named records by number have it)."""
    profile = ResidentProfileFactory(name=NAME, email=EMAIL, phone=PHONE)
    suggestion = SuggestionFactory(profile=profile, opportunity=opportunity)
    data = {"name": NAME, "email": EMAIL}
    log(instance=profile, action="wagtail.edit", user=admin_user, title=NAME, data=data)
    log(instance=suggestion, action="wagtail.edit", user=admin_user, title=f"{NAME} → 読み聞かせ")
    return profile, suggestion


def _log_text():
    return str(list(ModelLogEntry.objects.values("label", "data")))


def test_deleting_in_the_admin_anonymises_wagtails_log(admin_client_ja, named):
    profile, suggestion = named
    assert NAME in _log_text()
    url = f"/admin/snippets/matching/residentprofile/delete/{profile.pk}/"
    assert admin_client_ja.post(url).status_code == 302
    assert not ResidentProfile.objects.filter(pk=profile.pk).exists()
    entries = ModelLogEntry.objects.filter(object_id__in=[str(profile.pk), str(suggestion.pk)])
    assert entries.count() >= 3, "the entries stay, as a record that something was done"
    assert NAME not in _log_text() and EMAIL not in _log_text()
    assert f"#{profile.pk}" in entries.filter(action="wagtail.delete").get().label


def test_erasure_deletes_the_residents_kept_tasks_only(named):
    profile, suggestion = named
    other = ResidentProfileFactory()
    for name, args in [
        ("matching.tasks.refresh_resident_suggestions", [profile.pk]),
        ("matching.tasks.send_acceptance_emails", [suggestion.pk]),
        ("matching.tasks.send_my_data_link", [profile.email_digest]),
        ("matching.tasks.refresh_resident_suggestions", [other.pk]),
        ("matching.tasks.update_matching_crowding", [[profile.pk]]),
    ]:
        PendingTask.objects.create(task_name=name, args=args)
    privacy.erase([profile])
    left = {str(args) for args in PendingTask.objects.values_list("args", flat=True)}
    assert left == {str([other.pk]), str([[profile.pk]])}


def test_erasure_forgets_searches_that_mention_the_resident(named):
    profile, _suggestion = named
    for text in (f"{NAME} ボランティア", "井の頭三郎", EMAIL, "0422510000", "図書館"):
        Query.get(text).add_hit()
    privacy.erase([profile])
    assert list(Query.objects.values_list("query_string", flat=True)) == ["図書館"]


def test_the_access_log_keeps_no_search_terms_or_names(named):
    profile, _suggestion = named
    privacy.log_access(Action.LISTED, "resident profile", [profile], detail=f"q={NAME}&p=2")
    entry = PersonalDataAccess.objects.get()
    assert NAME not in entry.detail and "p=2" in entry.detail and "q=" in entry.detail
    # A line written before (or by other code) that names the resident is cleaned on erasure.
    PersonalDataAccess.objects.create(action=Action.LISTED, record_type="x", detail=EMAIL)
    privacy.erase([profile])
    assert not PersonalDataAccess.objects.filter(detail__contains="saburo").exists()
    assert PersonalDataAccess.objects.filter(action=Action.RESIDENT_DELETED).exists()


def test_suggestions_deleted_with_the_profile_leave_no_name(named):
    profile, suggestion = named
    privacy.erase([profile])
    assert not Suggestion.objects.filter(pk=suggestion.pk).exists()
    assert NAME not in _log_text()
