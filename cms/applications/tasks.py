"""Background work of applications (Celery): applicants' e-mails, reminders.

No task argument is personal data: tasks get ids. Links are made inside the
task at send time (cms/applications/links.py), and a mail that fails takes
its new links with it: the retry makes others.
"""

from celery import shared_task

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cms.activities.calendars import activity_ics, public_page_url
from cms.core import wareki
from cms.infrastructure.tasks import MAIL_TASK
from matching.tokens import digest_of

from . import booking, links
from .booking import Mail
from .models import Application, ApplicationLink

Status = Application.Status

# The statuses each mail still fits when the task runs: a resident who
# cancelled before the queue sent their "accepted" mail is not told otherwise.
FITS = {
    Mail.CONFIRM: (Status.UNCONFIRMED,),
    Mail.BOOKED: (Status.BOOKED,),
    Mail.WAITLISTED: (Status.WAITLISTED,),
    Mail.PROMOTED: (Status.BOOKED,),
    Mail.CANCELLED: (Status.CANCELLED,),
    Mail.REMINDER: (Status.BOOKED,),
}


@shared_task(**MAIL_TASK)
def send_application_mail(application_id, kind):
    """The e-mail of `kind` (booking.Mail) to the applicant; returns how many went.

    Nothing (0) when the application is gone, anonymised, has no address or
    no longer has the status the mail speaks of.
    """
    application = (
        Application.objects.select_related("activity__venue", "activity__contact_point")
        .filter(pk=application_id, anonymised_at__isnull=True)
        .exclude(email="")
        .first()
    )
    if application is None or kind not in FITS or application.status not in FITS[kind]:
        return 0
    if kind == Mail.REMINDER and application.activity.has_ended():
        return 0
    # The site's language, whoever's request queued the mail.
    with translation.override(settings.LANGUAGE_CODE):
        return _Letter(application, kind).send()


class _Letter:
    """One applicant's e-mail, with the links it issues (deleted if it fails)."""

    def __init__(self, application, kind):
        self.application = application
        self.activity = application.activity
        self.kind = kind
        self.issued = []

    def link(self, purpose, url_name):
        raw = links.issue(purpose, self.application)
        self.issued.append(raw)
        return links.public_url(url_name, raw)

    def send(self):
        subject, body = getattr(self, f"_{self.kind}")()
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [self.application.email])
        if self.kind not in (Mail.CONFIRM, Mail.CANCELLED):
            message.attach(
                f"activity-{self.activity.pk}.ics",
                activity_ics(self.activity),
                "text/calendar; charset=utf-8",
            )
        try:
            return message.send()
        except Exception:
            digests = [digest_of(raw) for raw in self.issued]
            ApplicationLink.objects.filter(digest__in=digests).delete()
            raise

    # -- the mails -------------------------------------------------------------

    def _confirm(self):
        url = self.link(links.Purpose.CONFIRM, "applications_confirm")
        subject = _("Please confirm your application: %(title)s") % {"title": self.activity.title}
        # The address is not verified yet: nothing the sender typed (a name,
        # a message) goes into this e-mail, so the form cannot mail others' words.
        body = _(
            "An application for “%(title)s” (%(when)s) was made on the Musashino City "
            "civic-activity portal with this e-mail address. If it was you, please open "
            "this link within %(hours)s hours and press the button to complete your "
            "application. No seat is kept for it until then.\n\n%(url)s\n\n"
            "If you did not apply, you can ignore this e-mail: the application will be "
            "deleted."
        ) % {
            "title": self.activity.title,
            "when": self.activity.when,
            "hours": settings.APPLICATION_CONFIRM_HOURS,
            "url": url,
        }
        return subject, f"{body}\n\n{self.signature()}"

    def _booked(self):
        subject = _("Your application is accepted: %(title)s") % {"title": self.activity.title}
        intro = _("Thank you for applying. A seat at the activity below is reserved for you.")
        return self._letter(subject, intro, manage=True)

    def _waitlisted(self):

        subject = _("You are on the waiting list: %(title)s") % {"title": self.activity.title}
        intro = _(
            "Thank you for applying. Every seat is taken at the moment, so your application "
            "is number %(position)s on the waiting list. When a seat becomes free it goes to "
            "the waiting list in order, and we will e-mail you."
        ) % {"position": booking.waitlist_position(self.application) or 1}
        return self._letter(subject, intro, manage=True)

    def _promoted(self):
        subject = _("A seat has become free for you: %(title)s") % {"title": self.activity.title}
        intro = _(
            "A seat has become free, and it is yours: your application from the waiting "
            "list is now accepted. If you can no longer attend, please cancel with the link "
            "below so that the next person can take the seat."
        )
        return self._letter(subject, intro, manage=True)

    def _cancelled(self):
        subject = _("Your application is cancelled: %(title)s") % {"title": self.activity.title}
        intro = _(
            "Your application for the activity below has been cancelled. If you did not "
            "cancel it, please contact the office below."
        )
        return self._letter(subject, intro, manage=False)

    def _reminder(self):
        url = self.link(links.Purpose.MANAGE, "applications_manage")
        subject = _("Reminder: %(title)s on %(date)s") % {
            "title": self.activity.title,
            "date": wareki.format_month_day(self.activity.start_date),
        }
        intro = _(
            "The activity you applied for is coming soon. Please let us know whether you "
            "will attend by opening one of these links:\n\n"
            "I will attend:\n%(coming)s\n\n"
            "I can no longer attend (cancel):\n%(not_coming)s\n\n"
            "If you cannot attend, please tell us so that someone on the waiting list can "
            "take your seat."
        ) % {"coming": f"{url}?answer=coming", "not_coming": f"{url}?answer=not-coming"}
        return self._letter(subject, intro, manage=False)

    def _letter(self, subject, intro, *, manage):
        application = self.application
        parts = [_("Dear %(name)s,") % {"name": application.name}, intro, self.details()]
        if manage:
            url = self.link(links.Purpose.MANAGE, "applications_manage")
            parts.append(
                _("To see your application or to cancel it, open this link:\n%(url)s")
                % {"url": url}
            )
        if self.kind != Mail.CANCELLED:
            parts.append(_("The attached file (.ics) adds the activity to your calendar."))
        parts.append(self.signature())
        return subject, "\n\n".join(parts)

    def details(self):
        activity, application = self.activity, self.application
        people = ngettext("%(n)s person", "%(n)s people", application.party_size) % {
            "n": application.party_size
        }
        lines = [
            _("Activity: %(title)s") % {"title": activity.title},
            _("Date and time: %(when)s") % {"when": activity.when},
        ]
        if activity.venue_label:
            lines.append(_("Venue: %(venue)s") % {"venue": activity.venue_label})
        lines.append(_("Number of people: %(people)s") % {"people": people})
        lines.append(_("Status: %(status)s") % {"status": application.get_status_display()})
        lines.append(public_page_url(activity))
        return "\n".join(line for line in lines if line)

    def signature(self):
        """The office that runs the activity, as the page's contact block names it."""
        from wagtail.models import Site

        from cms.core.models import SiteSettings

        site = self.activity.get_site() or Site.objects.filter(is_default_site=True).first()
        site_settings = SiteSettings.for_site(site)
        contact = self.activity.contact_point or site_settings.default_contact_point
        lines = [" ".join(p for p in (site_settings.organisation_name, str(contact or "")) if p)]
        if contact and contact.phone:
            lines.append(_("Phone: %(phone)s") % {"phone": contact.phone})
        if contact and contact.email:
            lines.append(_("E-mail: %(email)s") % {"email": contact.email})
        return "\n".join(lines)


@shared_task
def send_reminders():
    """Hourly (celery beat): reminders APPLICATION_REMINDER_DAYS before each activity."""
    from .reminders import send_due_reminders

    return send_due_reminders()


@shared_task
def anonymise_past_applications():
    """Daily (celery beat): applicants' personal data removed after the retention period."""
    from .privacy import anonymise_past

    return anonymise_past()


@shared_task
def send_applicant_message(message_id):
    """The office's e-mail to every applicant of an activity: one task per
    applicant (cms/applications/broadcast.py)."""
    from .broadcast import send_message

    return send_message(message_id)


@shared_task(**MAIL_TASK)
def send_applicant_message_to(message_id, application_id):
    """The office's e-mail to one applicant."""
    from .broadcast import send_message_to

    return send_message_to(message_id, application_id)
