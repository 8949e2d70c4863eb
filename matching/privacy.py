"""Residents' personal data under Japan's Act on the Protection of Personal
Information (個人情報保護法):

- residents see, download (JSON) and delete what the office holds about them
  through a link sent to their address (`my_data_token`, valid 24 hours);
- nothing is kept longer than `MATCHING_RETENTION_DAYS` after the resident's
  last activity (`purge_expired`, daily from Celery beat);
- every time someone sees, exports or deletes residents' data it is written
  to `PersonalDataAccess` (`log_access`), which the admin shows read-only.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import sources
from .engine.slots import SLOT_CODES, slot_label
from .models import PersonalDataAccess, ResidentProfile, Suggestion

MY_DATA_SALT = "matching.my-data"
MY_DATA_MAX_AGE = datetime.timedelta(hours=24)


def my_data_token(email):
    return signing.TimestampSigner(salt=MY_DATA_SALT).sign(email.strip().lower())


def address_of(token):
    """The address a my-data link was sent to, or None for a broken or expired link."""
    try:
        return signing.TimestampSigner(salt=MY_DATA_SALT).unsign(token, max_age=MY_DATA_MAX_AGE)
    except signing.BadSignature:
        return None


def profiles_of(email):
    return (
        ResidentProfile.objects.filter(email__iexact=email)
        .select_related("home_area")
        .prefetch_related("skills", "slots", "suggestions__opportunity", "suggestions__group")
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
        detail=detail[:255],
    )


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


def purge_expired(now=None):
    """Delete profiles untouched for MATCHING_RETENTION_DAYS (no change to the
    profile or any of its suggestions), and access-log lines older than
    PERSONAL_DATA_ACCESS_LOG_DAYS. Returns (profiles, log lines) deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.MATCHING_RETENTION_DAYS)
    recent = Suggestion.objects.filter(profile=OuterRef("pk"), updated_at__gte=cutoff)
    expired = list(ResidentProfile.objects.filter(updated_at__lt=cutoff).exclude(Exists(recent)))
    profiles = erase(
        expired,
        action=PersonalDataAccess.Action.PURGED,
    )
    log_cutoff = now - datetime.timedelta(days=settings.PERSONAL_DATA_ACCESS_LOG_DAYS)
    lines, _ = PersonalDataAccess.objects.filter(at__lt=log_cutoff).delete()
    return profiles, lines
