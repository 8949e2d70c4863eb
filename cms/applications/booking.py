"""Seats, the waiting list and an application's life (申込 → 確定 / キャンセル待ち → 取消).

Every change that takes or frees seats runs in a transaction holding the
activity's row lock (`SELECT … FOR UPDATE` on activities_activitypage), so
two residents confirming the last seat at the same moment cannot both get
it: the second waits, then counts the first one's seats. The count is of
the applications themselves (the sum of party_size of those holding seats),
never a counter that could drift from them.

E-mails go through cms.infrastructure.queue once the change commits, so a
mail server or broker that is down loses no application and no mail.
"""

import dataclasses
import datetime

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cms.infrastructure.queue import send_on_commit

from .models import Application

Status = Application.Status


class State(models.TextChoices):
    """Where an activity's applications stand, as pages and listings say it."""

    NONE = "none", _("No application needed")
    EXTERNAL = "external", _("Apply on another site")
    NOT_YET_OPEN = "not-yet-open", _("Applications not open yet")
    OPEN = "open", _("Seats available")
    WAITLIST = "waitlist", _("キャンセル待ち受付中")
    FULL = "full", _("Full")
    CLOSED = "closed", _("受付終了")


class Mail(models.TextChoices):
    """The e-mails an applicant gets (cms/applications/tasks.py writes them)."""

    CONFIRM = "confirm", _("confirm your address")
    BOOKED = "booked", _("application accepted")
    WAITLISTED = "waitlisted", _("on the waiting list")
    PROMOTED = "promoted", _("a seat from the waiting list")
    CANCELLED = "cancelled", _("application cancelled")
    REMINDER = "reminder", _("reminder before the activity")


class ApplicationRefused(Exception):
    """The application cannot be taken; the message says why, for the resident."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclasses.dataclass(frozen=True)
class Availability:
    state: str
    capacity: int | None = None
    taken: int = 0
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None

    @property
    def remaining(self):
        return max((self.capacity or 0) - self.taken, 0)

    @property
    def accepts(self):
        """Residents can apply now (for a seat or the waiting list)."""
        return self.state in (State.OPEN, State.WAITLIST)

    @property
    def label(self):
        """「残り3席」, 「キャンセル待ち受付中」, 「受付終了」…: the badge pages show."""
        if self.state == State.OPEN:
            return ngettext("%(n)s seat left", "%(n)s seats left", self.remaining) % {
                "n": self.remaining
            }
        return State(self.state).label


def closes_at(activity):
    """When applications close: the editor's time, or the activity's start."""
    return activity.applications_close_at or activity.starts_at


def availability(activity, taken=None, now=None):
    """The Availability of one activity; `taken` when already counted (listings)."""
    from cms.activities.models import ApplicationMode

    if activity.application_mode == ApplicationMode.EXTERNAL:
        return Availability(State.EXTERNAL)
    if activity.application_mode != ApplicationMode.ONLINE:
        return Availability(State.NONE)
    now = now or timezone.now()
    if taken is None:
        taken = activity.applications.holding_seats().people()
    common = {
        "capacity": activity.capacity,
        "taken": taken,
        "opens_at": activity.applications_open_at,
        "closes_at": closes_at(activity),
    }
    if now >= closes_at(activity):
        return Availability(State.CLOSED, **common)
    if activity.applications_open_at and now < activity.applications_open_at:
        return Availability(State.NOT_YET_OPEN, **common)
    if taken < (activity.capacity or 0):
        return Availability(State.OPEN, **common)
    return Availability(State.WAITLIST if activity.keeps_waitlist else State.FULL, **common)


def availabilities(activities, now=None):
    """{activity pk: Availability} for a listing, in one query for the seat counts."""
    online = [a.pk for a in activities if a.takes_applications]
    taken = dict(
        Application.objects.filter(activity__in=online, status__in=Application.SEAT_HOLDING)
        .order_by()
        .values("activity")
        .annotate(n=models.Sum("party_size"))
        .values_list("activity", "n")
    )
    return {a.pk: availability(a, taken.get(a.pk, 0), now) for a in activities}


def _locked(activity):
    """The activity again, its row locked until the transaction ends."""
    from cms.activities.models import ActivityPage

    return ActivityPage.objects.select_for_update(of=("self",)).get(pk=activity.pk)


def _mail(application, kind):
    from . import tasks

    send_on_commit(tasks.send_application_mail, application.pk, kind)


def apply(activity, *, channel=Application.Channel.WEB, now=None, **details):
    """Take an application with `details` (the Application fields a form fills).

    From the website it waits for the address's owner to confirm it (the
    e-mail with the link goes out on commit); the office's own entries (a
    resident on the phone) take a seat or a place on the waiting list at
    once. Raises ApplicationRefused when the activity takes no applications
    now or the party is too large.
    """
    now = now or timezone.now()
    state = availability(activity, now=now)
    from_office = channel == Application.Channel.OFFICE
    if not activity.takes_applications:
        raise ApplicationRefused(_("This activity takes no applications on this site."))
    if from_office:
        if activity.has_ended(now):
            raise ApplicationRefused(_("This activity has already ended."))
    elif not state.accepts:
        raise ApplicationRefused(_("Applications for this activity are not being taken now."))
    party_size = details.get("party_size", 1)
    if party_size > activity.max_party_size:
        raise ApplicationRefused(
            ngettext(
                "One application can be for at most %(n)s person.",
                "One application can be for at most %(n)s people.",
                activity.max_party_size,
            )
            % {"n": activity.max_party_size}
        )
    if party_size > (activity.capacity or 0):
        raise ApplicationRefused(_("There are fewer seats than people in this application."))
    with transaction.atomic():
        application = Application.objects.create(
            activity=activity,
            channel=channel,
            created_at=now,
            consented_at=details.pop("consented_at", now),
            **details,
        )
        if from_office:
            _allocate(_locked(activity), application, now, waitlist_anyway=True)
        else:
            _mail(application, Mail.CONFIRM)
    return application


def confirm(application, now=None):
    """The resident opened the confirmation link: a seat, or the waiting list.

    Idempotent: a confirmed application is returned as it is. Raises
    ApplicationRefused when applications have closed or every seat is taken
    and no waiting list is kept.
    """
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked(application.activity)
        application.refresh_from_db()
        if application.status != Status.UNCONFIRMED:
            return application
        if not availability(activity, now=now).accepts:
            raise ApplicationRefused(_("Applications for this activity have closed."))
        _allocate(activity, application, now)
    return application


def _allocate(activity, application, now, waitlist_anyway=False):
    """A seat when enough are left, else the waiting list (or a refusal).
    Called with the activity's row locked."""
    taken = activity.applications.holding_seats().people()
    application.confirmed_at = application.confirmed_at or now
    if taken + application.party_size <= (activity.capacity or 0):
        application.status = Status.BOOKED
        kind = Mail.BOOKED
    elif activity.keeps_waitlist or waitlist_anyway:
        application.status = Status.WAITLISTED
        application.waitlisted_at = now
        kind = Mail.WAITLISTED
    else:
        raise ApplicationRefused(_("Every seat has been taken."))
    application.save()
    _mail(application, kind)


def cancel(application, now=None, notify=True):
    """Cancel an application; a seat it frees goes to the waiting list.

    Returns the applications promoted from the waiting list. Cancelling a
    cancelled application changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked(application.activity)
        application.refresh_from_db()
        if application.status == Status.CANCELLED:
            return []
        freed = application.holds_seats
        application.status = Status.CANCELLED
        application.cancelled_at = now
        application.save()
        if notify and application.email:
            _mail(application, Mail.CANCELLED)
        return promote_waitlist(activity, now) if freed else []


def promote_waitlist(activity, now=None):
    """Give free seats to the waiting list, first come first served; returns
    the promoted applications. Call with the activity's row locked (after
    `_locked`), or it takes the lock itself.

    An application too large for the seats left is passed over, not made to
    block smaller ones behind it; it keeps its place for the next seats.
    Nobody is promoted once the activity has started.
    """
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked(activity)
        if not activity.takes_applications or now >= activity.starts_at:
            return []
        free = (activity.capacity or 0) - activity.applications.holding_seats().people()
        promoted = []
        for waiting in activity.applications.waitlisted():
            if free <= 0:
                break
            if waiting.party_size > free:
                continue
            waiting.status = Status.BOOKED
            waiting.promoted_at = now
            waiting.save()
            free -= waiting.party_size
            promoted.append(waiting)
            _mail(waiting, Mail.PROMOTED)
        return promoted


def waitlist_position(application):
    """1 for the first on the waiting list (the order promote_waitlist follows);
    None when the application is not on it."""
    ahead = list(application.activity.applications.waitlisted().values_list("pk", flat=True))
    return ahead.index(application.pk) + 1 if application.pk in ahead else None


def reply(application, coming, now=None):
    """The resident's answer to the reminder: 参加します, or 参加できなくなりました
    (which cancels and frees the seat). Returns the promoted applications."""
    now = now or timezone.now()
    if not coming:
        application.reply = Application.Reply.NOT_COMING
        application.replied_at = now
        application.save(update_fields=["reply", "replied_at", "updated_at"])
        return cancel(application, now)
    application.reply = Application.Reply.COMING
    application.replied_at = now
    application.save(update_fields=["reply", "replied_at", "updated_at"])
    return []


# What the attendance sheet records; BOOKED undoes a mark made by mistake.
ATTENDANCE_MARKS = (*Application.ATTENDANCE, Status.BOOKED)


def has_started(activity, now=None):
    return (now or timezone.now()) >= activity.starts_at


def mark_attendance(applications, status, now=None):
    """Mark 出席 or 欠席 on applications holding seats, or take the mark back
    (BOOKED), for activities that have started; returns how many changed.

    Before the activity nothing changes: a mark would keep the resident from
    cancelling and from the reminder.
    """
    from cms.activities.models import ActivityPage

    if status not in ATTENDANCE_MARKS:
        raise ValueError(f"not an attendance status: {status}")
    now = now or timezone.now()
    started = ActivityPage.objects.held(now).values("pk")
    return applications.filter(status__in=Application.SEAT_HOLDING, activity__in=started).update(
        status=status,
        attendance_marked_at=None if status == Status.BOOKED else now,
        updated_at=now,
    )


def promote_after_publish(sender, instance, **kwargs):
    """An editor published the activity, perhaps with more seats or on a new
    date: the waiting list gets the seats, and when it moved later the
    applicants are reminded again before the new date (page_published,
    connected in ApplicationsConfig.ready())."""
    if getattr(instance, "takes_applications", False):
        promote_waitlist(instance)
        remind_again_if_moved(instance)


def remind_again_if_moved(activity):
    """Reminders sent long before the reminder window of the activity's
    (new) start are sent again when it comes."""
    from django.conf import settings

    window = datetime.timedelta(days=settings.APPLICATION_REMINDER_DAYS, hours=1)
    return activity.applications.filter(
        status=Status.BOOKED, reminder_sent_at__lt=activity.starts_at - window
    ).update(reminder_sent_at=None)
