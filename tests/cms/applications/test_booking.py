"""Seats, the waiting list and an application's life (cms/applications/booking.py)."""

import datetime

import pytest

from django.utils import timezone

from cms.activities.models import ApplicationMode
from cms.applications import booking
from cms.applications.booking import ApplicationRefused, State
from cms.applications.models import Application
from tests.factories import ActivityIndexPageFactory, ActivityPageFactory

Status = Application.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(home):
    index = ActivityIndexPageFactory(parent=home, slug="booking-activities")
    soon = timezone.localdate() + datetime.timedelta(days=10)
    page = ActivityPageFactory(
        parent=index,
        title="パソコン講座",
        start_date=soon,
        start_time=datetime.time(14, 0),
        capacity=3,
        application_mode=ApplicationMode.ONLINE,
        max_party_size=2,
    )
    page.save_revision().publish()
    return page


def web(activity, name="武蔵野 花子", party_size=1, email="hanako@example.com"):
    return booking.apply(activity, name=name, email=email, party_size=party_size)


def phone(activity, name="吉祥寺 太郎", party_size=1):
    return booking.apply(
        activity,
        name=name,
        phone="0422-00-0000",
        party_size=party_size,
        channel=Application.Channel.OFFICE,
    )


def test_a_web_application_holds_no_seat_until_its_address_is_confirmed(activity):
    application = web(activity)

    assert application.status == Status.UNCONFIRMED
    assert booking.availability(activity).remaining == 3
    booking.confirm(application)
    application.refresh_from_db()
    assert application.status == Status.BOOKED
    assert booking.availability(activity).remaining == 2


def test_seats_count_people_and_the_badge_says_how_many_are_left(activity):
    booking.confirm(web(activity, party_size=2))

    state = booking.availability(activity)
    assert (state.state, state.remaining) == (State.OPEN, 1)
    assert "1" in state.label


def test_when_full_the_next_resident_joins_the_waiting_list(activity):
    booking.confirm(web(activity, party_size=2))
    booking.confirm(web(activity, name="二人目"))
    late = booking.confirm(web(activity, name="三人目"))

    assert late.status == Status.WAITLISTED
    assert booking.availability(activity).state == State.WAITLIST
    assert booking.availability(activity).label == "キャンセル待ち受付中"


def test_without_a_waiting_list_a_full_activity_refuses_and_keeps_the_seats(activity):
    activity.keeps_waitlist = False
    activity.save()
    booking.confirm(web(activity, party_size=2))
    booking.confirm(web(activity))
    assert booking.availability(activity).state == State.FULL

    with pytest.raises(ApplicationRefused):
        web(activity, name="四人目")


def test_a_confirmation_that_comes_too_late_for_the_last_seat_is_refused_without_a_list(activity):
    activity.keeps_waitlist = False
    activity.save()
    first, second = web(activity, party_size=2), web(activity, party_size=2)
    booking.confirm(first)

    with pytest.raises(ApplicationRefused):
        booking.confirm(second)
    second.refresh_from_db()
    assert second.status == Status.UNCONFIRMED
    assert booking.availability(activity).taken == 2


def test_cancelling_promotes_the_first_on_the_waiting_list_and_tells_them(activity):
    seat = booking.confirm(web(activity, party_size=2))
    booking.confirm(web(activity, name="二人目"))
    first = booking.confirm(web(activity, name="待ち一番", email="first@example.com"))
    second = booking.confirm(web(activity, name="待ち二番", email="second@example.com"))
    assert [first.status, second.status] == [Status.WAITLISTED, Status.WAITLISTED]

    promoted = booking.cancel(seat)

    assert [p.pk for p in promoted] == [first.pk, second.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    # Two seats freed, two people waiting with one each: both get a seat, in order.
    assert [first.status, second.status] == [Status.BOOKED, Status.BOOKED]
    assert first.promoted_at is not None
    assert booking.availability(activity).taken == 3


def test_a_party_too_large_for_the_freed_seat_keeps_its_place_and_the_next_one_fits(activity):
    booking.confirm(web(activity, party_size=1, name="一人"))
    booking.confirm(web(activity, party_size=2, name="二人"))
    big = booking.confirm(web(activity, party_size=2, name="待ち二人"))
    small = booking.confirm(web(activity, party_size=1, name="待ち一人"))
    single = Application.objects.get(name="一人")

    booking.cancel(single)

    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.status, small.status) == (Status.WAITLISTED, Status.BOOKED)


def test_nobody_is_promoted_once_the_activity_has_started(activity):
    seat = booking.confirm(web(activity, party_size=2))
    booking.confirm(web(activity))
    waiting = booking.confirm(web(activity, name="待ち"))

    booking.cancel(seat, now=activity.starts_at + datetime.timedelta(minutes=5))

    waiting.refresh_from_db()
    assert waiting.status == Status.WAITLISTED


def test_raising_the_capacity_gives_the_new_seats_to_the_waiting_list(activity):
    booking.confirm(web(activity, party_size=2))
    booking.confirm(web(activity))
    waiting = booking.confirm(web(activity, name="待ち"))
    activity.capacity = 4
    activity.save_revision().publish()

    waiting.refresh_from_db()
    assert waiting.status == Status.BOOKED


def test_the_office_books_a_phone_application_at_once_even_after_closing(activity):
    activity.applications_close_at = timezone.now() - datetime.timedelta(hours=1)
    activity.save()
    assert booking.availability(activity).state == State.CLOSED

    application = phone(activity)

    assert application.status == Status.BOOKED
    assert application.channel == Application.Channel.OFFICE


def test_applications_are_refused_before_opening_after_closing_and_for_large_parties(activity):
    activity.applications_open_at = timezone.now() + datetime.timedelta(days=1)
    activity.save()
    with pytest.raises(ApplicationRefused):
        web(activity)
    activity.applications_open_at = None
    activity.save()
    with pytest.raises(ApplicationRefused, match="2"):
        web(activity, party_size=3)
    with pytest.raises(ApplicationRefused):
        booking.apply(
            activity,
            name="終了後",
            email="a@example.com",
            now=activity.starts_at + datetime.timedelta(minutes=1),
        )
    assert (
        not Application.objects.filter(activity=activity)
        .exclude(status=Status.UNCONFIRMED)
        .exists()
    )


def test_an_activity_without_online_applications_refuses(activity):
    activity.application_mode = ApplicationMode.NONE
    activity.save()

    with pytest.raises(ApplicationRefused):
        web(activity)
    assert booking.availability(activity).state == State.NONE


def test_the_reminder_answer_not_coming_cancels_and_frees_the_seat(activity):
    seat = booking.confirm(web(activity, party_size=2))
    booking.confirm(web(activity))
    waiting = booking.confirm(web(activity, name="待ち"))

    booking.reply(seat, coming=False)

    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.status, seat.reply) == (Status.CANCELLED, Application.Reply.NOT_COMING)
    assert waiting.status == Status.BOOKED


def test_attendance_is_marked_only_on_applications_holding_seats(activity):
    seat = booking.confirm(web(activity))
    waiting = phone(activity, party_size=2)
    waiting2 = phone(activity, name="待ち")
    assert waiting2.status == Status.WAITLISTED
    everyone = Application.objects.filter(activity=activity)
    the_day = activity.starts_at + datetime.timedelta(minutes=10)

    # Before the activity nothing is marked: it would stop cancelling and the reminder.
    assert booking.mark_attendance(everyone, Status.ATTENDED) == 0
    changed = booking.mark_attendance(everyone, Status.ATTENDED, now=the_day)

    assert changed == 2
    assert set(Application.objects.filter(activity=activity, status=Status.ATTENDED)) == {
        seat,
        waiting,
    }
    with pytest.raises(ValueError):
        booking.mark_attendance(Application.objects.all(), Status.CANCELLED)
    # A mark made by mistake is taken back.
    assert booking.mark_attendance(everyone, Status.BOOKED, now=the_day) == 2
    seat.refresh_from_db()
    assert (seat.status, seat.attendance_marked_at) == (Status.BOOKED, None)


def test_moving_an_activity_later_reminds_its_applicants_again(activity):
    # Reminded now, a day before; whatever the time of day.
    start = timezone.localtime().replace(microsecond=0) + datetime.timedelta(days=1)
    activity.start_date, activity.start_time = start.date(), start.time()
    activity.end_time = None
    activity.save_revision().publish()
    seat = booking.confirm(web(activity))
    Application.objects.filter(pk=seat.pk).update(reminder_sent_at=timezone.now())
    activity.start_date += datetime.timedelta(days=1)
    activity.save_revision().publish()
    seat.refresh_from_db()
    assert seat.reminder_sent_at is not None, "a day later: still inside the reminded window"

    activity.start_date += datetime.timedelta(days=14)
    activity.save_revision().publish()

    seat.refresh_from_db()
    assert seat.reminder_sent_at is None


def test_listings_count_every_activity_in_one_query(activity, django_assert_num_queries):
    booking.confirm(web(activity, party_size=2))
    other = ActivityPageFactory(
        parent=activity.get_parent(),
        title="別の講座",
        start_date=activity.start_date,
        capacity=10,
        application_mode=ApplicationMode.ONLINE,
    )
    plain = ActivityPageFactory(parent=activity.get_parent(), start_date=activity.start_date)

    with django_assert_num_queries(1):
        states = booking.availabilities([activity, other, plain])

    assert states[activity.pk].remaining == 1
    assert states[other.pk].remaining == 10
    assert states[plain.pk].state == State.NONE


def test_the_application_names_nobody(activity):
    application = web(activity)

    assert "花子" not in str(application)
