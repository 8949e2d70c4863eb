"""The office's e-mail to every applicant of an activity (ApplicantMessage).

Each applicant gets their own e-mail, addressed to them alone: no list of
the others' addresses in To, Cc or Bcc. The body is what the office wrote,
as plain text, followed by the activity's title, date, venue and page, so
a resident who applied for several lectures knows which one it is about.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from cms.core.models import SiteSettings

from .models import ApplicantMessage, Application


def _default_contact(activity):
    site = activity.get_site()
    return SiteSettings.for_site(site).default_contact_point if site else None


def footer(activity):
    """The lines below the office's text: which activity, when, where."""
    lines = [
        "",
        "-" * 30,
        _("Activity: %(title)s") % {"title": activity.title},
        _("Date and time: %(when)s") % {"when": activity.when},
    ]
    if activity.venue_label:
        lines.append(_("Venue: %(venue)s") % {"venue": activity.venue_label})
    url = activity.full_url
    if url:
        lines.append(url)
    site = activity.get_site()
    organisation = SiteSettings.for_site(site).organisation_name if site else ""
    contact = activity.contact_point or _default_contact(activity)
    lines.append("")
    if contact is not None:
        lines.append(" ".join(p for p in (organisation, contact.department, contact.section) if p))
        if contact.phone:
            lines.append(_("Phone: %(phone)s") % {"phone": contact.phone})
    elif organisation:
        lines.append(organisation)
    return "\n".join(lines)


def recipients(activity, statuses):
    """The applications a message to these statuses goes to: with an
    address, not yet anonymised; one per address (a resident who applied
    twice gets the message once)."""
    applications = (
        activity.applications.filter(status__in=statuses, anonymised_at__isnull=True)
        .exclude(email="")
        .order_by("pk")
    )
    seen, chosen = set(), []
    for application in applications:
        address = application.email.strip().lower()
        if address not in seen:
            seen.add(address)
            chosen.append(application)
    return chosen


def send_message(message_id):
    """Send ApplicantMessage `message_id`: one task, and one e-mail, per applicant.

    Each e-mail is its own task (`send_message_to`), so a mail server failing
    halfway retries only the e-mails not sent, not the first recipients'
    again. Returns how many e-mails were queued (0 when the message is gone);
    the message's recipient count is set to that number.
    """
    from cms.infrastructure.queue import send

    from . import tasks

    message = ApplicantMessage.objects.select_related("activity").filter(pk=message_id).first()
    if message is None:
        return 0
    chosen = recipients(message.activity, message.statuses)
    ApplicantMessage.objects.filter(pk=message.pk).update(recipients=len(chosen))
    for application in chosen:
        send(tasks.send_applicant_message_to, (message.pk, application.pk))
    return len(chosen)


def send_message_to(message_id, application_id):
    """The message to one applicant; 0 when either is gone or the
    application has lost its address (anonymised) meanwhile."""
    message = ApplicantMessage.objects.select_related("activity").filter(pk=message_id).first()
    application = (
        Application.objects.filter(pk=application_id, anonymised_at__isnull=True)
        .exclude(email="")
        .first()
    )
    if message is None or application is None:
        return 0
    activity = message.activity.specific
    body = message.body.rstrip() + "\n" + footer(activity) + "\n"
    # A resident's reply goes to the office, not to the no-reply sender.
    contact = activity.contact_point or _default_contact(activity)
    reply_to = [contact.email] if contact is not None and contact.email else []
    return EmailMessage(
        message.subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [application.email],
        reply_to=reply_to,
    ).send()
