"""Background work of the matching workflow (Celery).

No task argument is personal data: tasks get ids, and the my-data request a
keyed digest of the address (models.email_digest). Links are made inside the
task at send time (matching/tokens.py), so no broker message, retry, log
line or PendingTask row holds an address or a live link.
"""

import datetime

from celery import shared_task

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.infrastructure.abuse import canonical_email
from cms.infrastructure.tasks import MAIL_TASK

from . import search_index, services, sources, tokens
from .engine.indexing import EngineUnavailable
from .models import AccessToken, PendingInterest, ResidentProfile, Suggestion

Purpose = AccessToken.Purpose


@shared_task
def rebuild_engine():
    """Opportunities changed: mark engines stale everywhere and rebuild this
    worker's (with a search engine the worker does not rank: nothing to build)."""
    sources.invalidate_engine()
    if search_index.is_configured():
        return 0
    return services.current_engine().opportunity_count


@shared_task(autoretry_for=(EngineUnavailable,), retry_backoff=True, max_retries=5)
def update_matching_index(opportunity_ids=(), group_ids=()):
    """Pages were published, unpublished, deleted or moved: index them anew."""
    sources.invalidate_engine()
    if not search_index.is_configured():
        return 0
    return search_index.update_index(opportunity_ids, group_ids)


@shared_task(autoretry_for=(EngineUnavailable,), retry_backoff=True, max_retries=5)
def index_ended_opportunities(days=7):
    """Daily (celery beat): opportunities whose end date passed leave the index.

    Nothing is published when a date passes, so no signal says so. Returns
    how many documents were written or deleted.
    """
    from cms.opportunities.models import OpportunityPage

    sources.invalidate_engine()
    if not search_index.is_configured():
        return 0
    today = timezone.localdate()
    ended = OpportunityPage.objects.live().filter(
        ends__lt=today, ends__gte=today - datetime.timedelta(days=days)
    )
    ids = list(ended.values_list("pk", flat=True))
    return search_index.update_index(opportunity_ids=ids) if ids else 0


@shared_task(autoretry_for=(EngineUnavailable,), retry_backoff=True, max_retries=5)
def update_matching_crowding(opportunity_ids):
    """Suggestions changed how crowded these opportunities are."""
    if not search_index.is_configured():
        return 0
    return search_index.update_crowding(opportunity_ids)


@shared_task
def refresh_all_suggestions():
    """Periodic (celery beat): new suggestions for every registered resident."""
    created = 0
    residents = ResidentProfile.objects.filter(consent=True, receives_suggestions=True)
    for resident in residents.iterator():
        created += len(services.refresh_suggestions(resident))
    return created


@shared_task(**MAIL_TASK)
def send_acceptance_emails(suggestion_id):
    """Tell the resident and the group that a match was accepted."""
    suggestion = (
        Suggestion.objects.select_related("profile", "opportunity", "group")
        .filter(pk=suggestion_id, status=Suggestion.Status.ACCEPTED)
        .first()
    )
    if suggestion is None:
        return 0
    target = suggestion.target.specific if suggestion.target else None
    title = target.title if target else ""
    group = target.group if hasattr(target, "group") else target
    sent = 0
    if suggestion.profile.email:
        sent += send_mail(
            _("Your match with %(title)s") % {"title": title},
            _(
                "Dear %(name)s,\n\nThe civic-activity office has connected you with "
                "“%(title)s”. The group will contact you.\n\n%(office)s"
            )
            % {"name": suggestion.profile.name, "title": title, "office": _office()},
            settings.DEFAULT_FROM_EMAIL,
            [suggestion.profile.email],
        )
    group_email = getattr(group, "public_email", "")
    if group_email:
        sent += send_mail(
            _("A resident would like to join %(title)s") % {"title": title},
            _(
                "A resident has been matched with “%(title)s”. The civic-activity office "
                "will pass on their contact details.\n\n%(office)s"
            )
            % {"title": title, "office": _office()},
            settings.DEFAULT_FROM_EMAIL,
            [group_email],
        )
    return sent


def _office():
    return _("Musashino City, Civic Activity Promotion Section")


def _send_link(
    purpose,
    profile,
    url_name,
    subject,
    body,
    recipients,
    interest=None,
    address_digest="",
    **context,
):
    """Mail `body` with a new single-use link in place of %(url)s. A mail that
    fails takes its token with it: the retry makes a new one."""
    raw = tokens.issue(purpose, profile, interest, address_digest=address_digest)
    url = tokens.public_url(url_name, raw)
    try:
        return send_mail(
            subject,
            body % {"url": url, "office": _office(), **context},
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    except Exception:
        AccessToken.objects.filter(digest=tokens.digest_of(raw)).delete()
        raise


@shared_task(**MAIL_TASK)
def send_registration_confirmation(profile_id):
    """The e-mail with the link that confirms a registration (valid for 7 days)."""
    profile = ResidentProfile.objects.filter(pk=profile_id, email_confirmed_at__isnull=True).first()
    if profile is None or not profile.email:
        return 0
    return _send_link(
        Purpose.CONFIRM_REGISTRATION,
        profile,
        "matching_confirm",
        _("Please confirm your registration"),
        # The address is not verified yet: nothing the sender typed (such as
        # a name) goes into this e-mail, so the form cannot send others' words.
        _(
            "Thank you for registering with the Musashino City civic-activity portal. "
            "Please open this link within 7 days to confirm your e-mail address; we will "
            "then send you suggestions of activities that suit you.\n\n%(url)s\n\n"
            "If you did not register, you can ignore this e-mail and nothing will be "
            "sent to you again.\n\n%(office)s"
        ),
        [profile.email],
    )


@shared_task
def purge_unconfirmed_registrations():
    """Periodic (celery beat): registrations never confirmed within 7 days go."""
    from .residents import purge_unconfirmed

    return purge_unconfirmed()


@shared_task
def refresh_resident_suggestions(profile_id):
    """Suggestions for one resident who has just confirmed their address."""
    profile = ResidentProfile.objects.filter(pk=profile_id).first()
    return len(services.refresh_suggestions(profile)) if profile else 0


@shared_task(**MAIL_TASK)
def send_interest_confirmation(interest_id):
    """「参加してみたい」: the link that confirms the request (valid for 7 days).

    Nothing reaches the coordinators until the address's owner opens it.
    """
    interest = (
        PendingInterest.objects.select_related("profile", "opportunity")
        .filter(pk=interest_id)
        .first()
    )
    if interest is None or not interest.profile.email:
        return 0
    title = interest.opportunity.title
    return _send_link(
        Purpose.CONFIRM_INTEREST,
        interest.profile,
        "matching_interest_confirm",
        _("Please confirm your request: %(title)s") % {"title": title},
        # As for registrations: nothing the sender typed goes into this e-mail.
        _(
            "Someone asked, with this e-mail address, to take part in “%(title)s” "
            "through the Musashino City civic-activity portal. If it was you, please "
            "open this link within 7 days to confirm the request; the civic-activity "
            "office will then contact you.\n\n%(url)s\n\n"
            "If you did not send this request, you can ignore this e-mail: nothing "
            "will be passed on.\n\n%(office)s"
        ),
        [interest.profile.email],
        interest=interest,
        title=title,
    )


@shared_task
def purge_expired_personal_data():
    """Daily (celery beat): delete what is past the retention period."""
    from .privacy import purge_expired

    profiles, log_lines = purge_expired()
    return {"profiles": profiles, "log_lines": log_lines}


@shared_task(**MAIL_TASK)
def send_my_data_link(address_digest):
    """The link to see, download or delete one's data, sent to the addresses
    the office holds with this digest (models.email_digest): of profiles and
    of applications for activities. Nothing for an unknown one. The view
    queues this for every address, so neither its answer nor its time says
    who is registered."""
    from cms.applications.privacy import applications_of

    if not address_digest:
        return None
    profiles = ResidentProfile.objects.filter(email_digest=address_digest).exclude(email="")
    held = [
        *profiles.order_by("created_at").values_list("email", flat=True),
        *applications_of(address_digest).exclude(email="").values_list("email", flat=True),
    ]
    if not held:
        return None
    recipients = {}
    for address in held:  # one message per mailbox, as the office wrote it first
        recipients.setdefault(canonical_email(address), address)
    # The link opens what the address holds, not one profile: an applicant
    # may have none.
    _send_link(
        Purpose.MY_DATA,
        None,
        "matching_my_data_link",
        _("Your registration with the civic-activity office"),
        _(
            "You asked to see your registration. Open this link within 24 hours to see, "
            "download or delete the details the civic-activity office holds about you:\n\n"
            "%(url)s\n\nIf you did not ask for this, you can ignore this e-mail.\n\n%(office)s"
        ),
        list(recipients.values()),
        address_digest=address_digest,
    )
    # No result: Celery logs it ("succeeded: 1"), which would say who is registered.


# Defined beside the digest it sends; registered under this module's name.
from .digest import send_weekly_digests  # noqa: E402,F401
