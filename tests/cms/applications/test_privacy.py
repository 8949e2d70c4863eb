"""Applicants' personal data (cms/applications/privacy.py): removed after the
retention period with only the numbers kept; a resident's deletion cancels
what is still to come and frees the seat."""

import datetime

import pytest

from django.utils import timezone

from cms.activities.models import ApplicationMode
from cms.applications import booking, links, privacy
from cms.applications.models import Application, ApplicationLink
from cms.applications.tasks import anonymise_past_applications
from cms.infrastructure.models import PendingTask
from matching.models import PersonalDataAccess, email_digest
from tests.factories import ActivityIndexPageFactory, ActivityPageFactory

pytestmark = pytest.mark.django_db
Status = Application.Status
Action = PersonalDataAccess.Action
MAIL_TASK = "cms.applications.tasks.send_application_mail"
PERSONAL = ("name", "name_kana", "email", "email_digest", "phone", "note")


@pytest.fixture
def index(home):
    page = ActivityIndexPageFactory(parent=home, slug="privacy-activities")
    page.save_revision().publish()
    return page


def _activity(index, days_from_today, **fields):
    page = ActivityPageFactory(
        parent=index,
        start_date=timezone.localdate() + datetime.timedelta(days=days_from_today),
        start_time=datetime.time(10, 0),
        end_time=datetime.time(12, 0),
        capacity=10,
        application_mode=ApplicationMode.ONLINE,
        max_party_size=3,
        **fields,
    )
    page.save_revision().publish()
    return page


def _application(activity, status, n, party_size=1, **fields):
    details = {
        "name": f"申込者{n}",
        "name_kana": f"もうしこみしゃ{n}",
        "email": f"applicant{n}@example.jp",
        "phone": f"0422-00-{n:04d}",
        "answers": [{"question": "託児を希望しますか", "answer": f"はい{n}"}],
        "note": f"車いすで伺います{n}",
        **fields,
    }
    return Application.objects.create(
        activity=activity, status=status, party_size=party_size, **details
    )


def _numbers(activity):
    """What the plan's review counts: statuses and people."""
    return sorted(activity.applications.values_list("status", "party_size"))


def test_past_applications_keep_only_their_numbers(index):
    ended = _activity(index, days_from_today=-40)
    recent = _activity(index, days_from_today=-10)
    old = [
        _application(ended, Status.ATTENDED, 1, party_size=2),
        _application(ended, Status.ABSENT, 2),
        _application(ended, Status.CANCELLED, 3),
        _application(ended, Status.WAITLISTED, 4),
    ]
    kept = _application(recent, Status.ATTENDED, 5)
    for application in (old[0], kept):
        links.issue(links.Purpose.MANAGE, application)
        PendingTask.objects.create(task_name=MAIL_TASK, args=[application.pk, "reminder"])
    numbers = _numbers(ended)

    counts = privacy.anonymise_past()

    assert counts["anonymised"] == 4
    assert _numbers(ended) == numbers and ended.applications.holding_seats().people() == 3
    for application in Application.objects.filter(activity=ended):
        assert [getattr(application, field) for field in PERSONAL] == [""] * len(PERSONAL)
        assert application.answers == [] and application.anonymised_at is not None
    assert not ApplicationLink.objects.filter(application__activity=ended).exists()
    assert list(PendingTask.objects.values_list("args", flat=True)) == [[kept.pk, "reminder"]]
    # An activity ten days ago is still within the 30 days: nothing changes.
    kept_now = Application.objects.get(pk=kept.pk)
    assert (kept_now.name, kept_now.email, kept_now.answers) == (
        kept.name,
        kept.email,
        kept.answers,
    )
    assert kept_now.anonymised_at is None and kept_now.links.count() == 1

    (line,) = PersonalDataAccess.objects.filter(action=Action.PURGED)
    assert line.record_type == "application"
    assert sorted(line.record_ids.split(",")) == sorted(str(a.pk) for a in old)
    assert "申込者" not in line.detail

    # The next day's run finds nothing new to remove.
    assert privacy.anonymise_past()["anonymised"] == 0
    assert PersonalDataAccess.objects.filter(action=Action.PURGED).count() == 1


def test_the_retention_period_counts_from_the_activitys_end(index, settings):
    settings.APPLICATION_RETENTION_DAYS = 30
    # Over several days: the last day counts, not the first.
    long = _activity(index, days_from_today=-45)
    long.end_date = timezone.localdate() - datetime.timedelta(days=20)
    long.save()
    application = _application(long, Status.ATTENDED, 1)
    ended_at = long.ends_at

    privacy.anonymise_past(now=ended_at + datetime.timedelta(days=30, seconds=-1))
    application.refresh_from_db()
    assert application.name == "申込者1"
    privacy.anonymise_past(now=ended_at + datetime.timedelta(days=30))
    application.refresh_from_db()
    assert application.name == "" and application.status == Status.ATTENDED


def test_unconfirmed_web_applications_are_deleted_after_a_day(index):
    activity = _activity(index, days_from_today=10)
    stale = booking.apply(activity, name="未確認", email="stale@example.jp")
    fresh = booking.apply(activity, name="確認待ち", email="fresh@example.jp")
    office = booking.apply(
        activity, name="電話", phone="0422-11-1111", channel=Application.Channel.OFFICE
    )
    day_ago = timezone.now() - datetime.timedelta(hours=25)
    Application.objects.filter(pk=stale.pk).update(created_at=day_ago)
    links.issue(links.Purpose.CONFIRM, stale)
    PendingTask.objects.create(task_name=MAIL_TASK, args=[stale.pk, "confirm"])

    counts = anonymise_past_applications.delay().get()  # the daily beat task

    assert counts["unconfirmed_deleted"] == 1
    remaining = set(Application.objects.filter(activity=activity).values_list("pk", flat=True))
    assert remaining == {fresh.pk, office.pk}
    assert not ApplicationLink.objects.filter(application_id=stale.pk).exists()
    assert not PendingTask.objects.filter(task_name=MAIL_TASK).exists()
    line = PersonalDataAccess.objects.get(action=Action.PURGED)
    assert line.record_ids == str(stale.pk)


def test_expired_links_are_deleted(index):
    activity = _activity(index, days_from_today=10)
    application = booking.apply(activity, name="花子", email="hanako@example.jp")
    links.issue(links.Purpose.CONFIRM, application)
    links.issue(links.Purpose.MANAGE, application)
    ApplicationLink.objects.filter(purpose=links.Purpose.CONFIRM).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert privacy.anonymise_past()["links_deleted"] == 1
    assert list(application.links.values_list("purpose", flat=True)) == [links.Purpose.MANAGE]


def test_forgetting_cancels_what_is_to_come_and_promotes_the_waiting_list(
    index, django_capture_on_commit_callbacks
):
    activity = _activity(index, days_from_today=10, title="親子料理教室")
    activity.capacity = 2
    activity.save()
    mine = booking.confirm(booking.apply(activity, name="花子", email="hanako@example.jp"))
    other = booking.confirm(booking.apply(activity, name="太郎", email="taro@example.jp"))
    waiting = booking.confirm(booking.apply(activity, name="次郎", email="jiro@example.jp"))
    assert (mine.status, other.status, waiting.status) == (
        Status.BOOKED,
        Status.BOOKED,
        Status.WAITLISTED,
    )
    held = _activity(index, days_from_today=-3)
    attended = _application(held, Status.ATTENDED, 1, email="hanako@example.jp")

    applications = privacy.applications_of(email_digest("Hanako@Example.jp"))
    assert {a.pk for a in applications} == {mine.pk, attended.pk}
    with django_capture_on_commit_callbacks() as queued:
        assert privacy.forget(applications) == 2

    mine.refresh_from_db()
    waiting.refresh_from_db()
    attended.refresh_from_db()
    assert mine.status == Status.CANCELLED and mine.name == "" and mine.email == ""
    assert waiting.status == Status.BOOKED, "the freed seat went to the waiting list"
    assert len(queued) == 1, "one mail: the promoted resident's (none to a deleted address)"
    # What was held stays counted, without a name.
    assert (attended.status, attended.party_size, attended.name) == (Status.ATTENDED, 1, "")
    assert booking.availability(activity).taken == 2
    assert not privacy.applications_of(email_digest("hanako@example.jp")).exists()
    line = PersonalDataAccess.objects.get(action=Action.RESIDENT_DELETED)
    assert line.record_type == "application"
    assert sorted(line.record_ids.split(",")) == sorted([str(mine.pk), str(attended.pk)])


def test_an_address_left_out_finds_no_application(index):
    activity = _activity(index, days_from_today=10)
    booking.apply(activity, name="電話", phone="0422-11-1111", channel=Application.Channel.OFFICE)
    assert not privacy.applications_of("").exists()
    assert not privacy.applications_of(email_digest("")).exists()


def test_wagtails_log_keeps_no_applicants_details(index, admin_user):
    from wagtail.log_actions import log
    from wagtail.models import ModelLogEntry

    application = _application(_activity(index, days_from_today=-40), Status.ATTENDED, 1)
    log(instance=application, action="wagtail.edit", user=admin_user, data={"name": "申込者1"})
    entries = ModelLogEntry.objects.filter(object_id=str(application.pk), action="wagtail.edit")
    assert entries.get().data == {"name": "申込者1"}
    privacy.anonymise_past()
    entry = entries.get()
    assert entry.data == {} and "申込者" not in entry.label
