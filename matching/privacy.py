"""Residents' personal data under Japan's Act on the Protection of Personal
Information (個人情報保護法):

- residents see, download (JSON) and delete what the office holds about them
  through a single-use link sent to their address (matching/tokens.py, valid
  24 hours, exchanged for a 30-minute session: my_data_views.py): their
  profiles, and their applications for activities, which need no profile
  (cms/applications/privacy.py);
- nothing is kept longer than `MATCHING_RETENTION_DAYS` after the resident's
  last activity (`purge_expired`, daily from Celery beat);
- every time someone sees, exports or deletes residents' data it is written
  to `PersonalDataAccess` (`log_access`), which the admin shows read-only;
- a deleted resident leaves nothing behind (`forget`, on every deletion of
  a profile or suggestion: the resident's page, the admin, purges): Wagtail's
  log entries are anonymised, their kept tasks and the stored search queries
  that mention them are deleted.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from . import sources, tokens
from .engine.slots import SLOT_CODES, slot_label
from .models import (
    AccessToken,
    PendingInterest,
    PersonalDataAccess,
    ResidentProfile,
    Suggestion,
)


def profiles_of(address_digest):
    """Every profile held for an address (by models.email_digest)."""
    return (
        ResidentProfile.objects.filter(email_digest=address_digest)
        .select_related("home_area")
        .prefetch_related(
            "skills",
            "slots",
            "suggestions__opportunity",
            "suggestions__group",
            "pending_interests__opportunity",
        )
        .order_by("created_at")
    )


def log_access(action, record_type, records=(), user=None, detail=""):
    """One line in the access log; `records` are model instances or ids."""
    ids = [str(getattr(record, "pk", record)) for record in records]
    authenticated = user is not None and user.is_authenticated
    PersonalDataAccess.objects.create(
        action=action,
        record_type=record_type,
        record_ids=",".join(ids),
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        detail=_without_search_terms(detail)[:255],
    )


# Query parameters of admin listings that hold what was typed into a search box.
SEARCH_PARAMETERS = ("q", "query", "search")


def _without_search_terms(detail):
    """A listing's query string without what was searched for: coordinators
    search residents by name, e-mail and phone, and the log keeps no personal
    data. The search is recorded as `q=*`."""
    if "=" not in detail:
        return detail
    query = QueryDict(detail, mutable=True)
    if not any(query.get(name) for name in SEARCH_PARAMETERS):
        return detail
    for name in SEARCH_PARAMETERS:
        if query.get(name):
            query[name] = "*"
    return query.urlencode(safe="*")


def _when(value):
    return timezone.localtime(value).isoformat() if value else None


def export(profiles):
    """Everything held about these profiles, as a JSON-ready dict."""
    return {
        "exported_at": _when(timezone.now()),
        "controller": "武蔵野市 市民部 市民活動推進課",
        "profiles": [_profile_data(profile) for profile in profiles],
    }


def _profile_data(profile):
    slots = {slot.code for slot in profile.slots.all()}
    return {
        "name": profile.name,
        "email": profile.email,
        "phone": profile.phone,
        "skills": [skill.name for skill in profile.skills.all()],
        "interests": profile.interests,
        "available_times": [slot_label(code) for code in SLOT_CODES if code in slots],
        "home_area": profile.home_area.name if profile.home_area else None,
        "max_km": float(profile.max_km),
        "consented_at": _when(profile.consented_at),
        "email_confirmed_at": _when(profile.email_confirmed_at),
        "receives_suggestions": profile.receives_suggestions,
        "receives_digest": profile.receives_digest,
        "registered_at": _when(profile.created_at),
        "updated_at": _when(profile.updated_at),
        "suggestions": [
            {
                "opportunity_or_group": suggestion.target.title if suggestion.target else None,
                "status": suggestion.get_status_display(),
                "source": suggestion.get_source_display(),
                "message": suggestion.message,
                "reasons": suggestion.reasons_text,
                "coordinator_notes": suggestion.notes,
                "created_at": _when(suggestion.created_at),
                "updated_at": _when(suggestion.updated_at),
            }
            for suggestion in profile.suggestions.all()
        ],
        # 「参加してみたい」 sent with this address and not confirmed (yet).
        "requests_awaiting_confirmation": [
            {
                "opportunity": interest.opportunity.title,
                "message": interest.message,
                "created_at": _when(interest.created_at),
            }
            for interest in profile.pending_interests.all()
        ],
    }


def erase(profiles, action=PersonalDataAccess.Action.RESIDENT_DELETED, user=None):
    """Delete the profiles with their suggestions and history; log it. Returns the count."""
    ids = [profile.pk for profile in profiles]
    if not ids:
        return 0
    with transaction.atomic():
        log_access(action, "resident profile", ids, user=user)
        ResidentProfile.objects.filter(pk__in=ids).delete()  # suggestions cascade
        transaction.on_commit(sources.invalidate_engine)
    return len(ids)


# Tasks whose first argument is a profile's, a suggestion's or a pending
# request's id (matching/tasks.py).
TASKS_BY_PROFILE = (
    "matching.tasks.send_registration_confirmation",
    "matching.tasks.refresh_resident_suggestions",
)
TASKS_BY_SUGGESTION = ("matching.tasks.send_acceptance_emails",)
TASKS_BY_INTEREST = ("matching.tasks.send_interest_confirmation",)
TASKS_BY_ADDRESS = ("matching.tasks.send_my_data_link",)


def _forget_kept_tasks(names, value):
    from cms.infrastructure.models import PendingTask

    kept = PendingTask.objects.filter(task_name__in=names).only("pk", "args")
    PendingTask.objects.filter(
        pk__in=[task.pk for task in kept if task.args[:1] == [value]]
    ).delete()


def _anonymise_log_entries(model, pk, label):
    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=str(pk),
    ).update(label=label, data={})


def forget_profile(sender, instance, **kwargs):
    """A profile was deleted (post_delete, however it was deleted): what still
    names the resident goes too."""
    _anonymise_log_entries(
        ResidentProfile, instance.pk, _("Deleted resident #%(id)s") % {"id": instance.pk}
    )
    _forget_kept_tasks(TASKS_BY_PROFILE, instance.pk)
    if (
        instance.email_digest
        and ResidentProfile.objects.filter(email_digest=instance.email_digest).exists()
    ):
        return  # merged into the address's other profile (residents.confirm): still held
    if not _address_holds_applications(instance.email_digest):
        # A link asked for and not sent yet still opens the applications.
        _forget_kept_tasks(TASKS_BY_ADDRESS, instance.email_digest)
    forget_mentions_of([instance.name, instance.email, instance.phone])


def forget_address(address_digest):
    """Everything for this address is deleted: its links and the link
    requests still waiting to be sent go too."""
    if address_digest:
        AccessToken.objects.filter(email_digest=address_digest).delete()
        _forget_kept_tasks(TASKS_BY_ADDRESS, address_digest)


def _address_holds_applications(address_digest):
    from cms.applications.privacy import applications_of

    return applications_of(address_digest).exists()


def forget_mentions_of(values):
    """A resident's or applicant's details (name, address, phone) are erased:
    the stored search queries and access-log details that contain them go."""
    from search.query_log import forget_mentions

    mentions = [value for value in values if value]
    if not mentions:
        return
    forget_mentions(mentions)
    condition = Q()
    for value in mentions:
        condition |= Q(detail__icontains=value)
    PersonalDataAccess.objects.filter(condition).update(detail="")


def forget_suggestion(sender, instance, **kwargs):
    _anonymise_log_entries(
        Suggestion,
        instance.pk,
        _("Suggestion #%(id)s of a deleted resident") % {"id": instance.pk},
    )
    _forget_kept_tasks(TASKS_BY_SUGGESTION, instance.pk)


def forget_interest(sender, instance, **kwargs):
    _forget_kept_tasks(TASKS_BY_INTEREST, instance.pk)


def register_signal_handlers():
    """Connected in matching.signal_handlers.register()."""
    from django.db.models.signals import post_delete

    post_delete.connect(forget_profile, sender=ResidentProfile)
    post_delete.connect(forget_suggestion, sender=Suggestion)
    post_delete.connect(forget_interest, sender=PendingInterest)


def purge_expired(now=None):
    """Delete profiles untouched for MATCHING_RETENTION_DAYS (no change to the
    profile or any of its suggestions), access-log lines older than
    PERSONAL_DATA_ACCESS_LOG_DAYS, and expired or used links (tokens.purge).
    Returns (profiles, log lines) deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.MATCHING_RETENTION_DAYS)
    recent = Suggestion.objects.filter(profile=OuterRef("pk"), updated_at__gte=cutoff)
    expired = list(ResidentProfile.objects.filter(updated_at__lt=cutoff).exclude(Exists(recent)))
    profiles = erase(
        expired,
        action=PersonalDataAccess.Action.PURGED,
    )
    log_cutoff = now - datetime.timedelta(days=settings.PERSONAL_DATA_ACCESS_LOG_DAYS)
    lines, _deleted = PersonalDataAccess.objects.filter(at__lt=log_cutoff).delete()
    tokens.purge(now)
    return profiles, lines
