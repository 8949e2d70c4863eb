"""What residents do themselves: register a profile (confirmed by e-mail) and
say 「参加してみたい」 for an opportunity. Coordinators take it from there."""

import datetime

from django.core import signing
from django.db import transaction
from django.utils import timezone

from . import services
from .models import ResidentProfile, Suggestion

CONFIRM_SALT = "matching.confirm-registration"
CONFIRM_MAX_AGE = datetime.timedelta(days=7)


def confirmation_token(profile):
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(profile.public_id))


def profile_for_token(token):
    """The unconfirmed-or-confirmed profile a link names, or None if the link is
    broken, expired, or its profile was deleted."""
    try:
        public_id = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
            token, max_age=CONFIRM_MAX_AGE
        )
    except signing.BadSignature:
        return None
    return ResidentProfile.objects.filter(public_id=public_id).first()


def _new_profile(contact_form):
    profile = contact_form.save(commit=False)
    profile.consent = True
    profile.consented_at = timezone.now()
    # Suggestions start only once the resident has confirmed the address.
    profile.receives_suggestions = False
    return profile


@transaction.atomic
def register(matching_form, contact_form):
    """Store an unconfirmed profile; the caller sends the confirmation e-mail."""
    profile = _new_profile(contact_form)
    matching_form.apply_to(profile)
    return profile


@transaction.atomic
def confirm(profile):
    """The resident clicked the link: start suggestions. An earlier confirmed
    profile with the same address takes the new answers, so one person keeps
    one profile and its history. Returns the profile that remains."""
    if profile.email_confirmed_at:
        return profile
    earlier = (
        ResidentProfile.objects.filter(email__iexact=profile.email)
        .filter(email_confirmed_at__isnull=False)
        .exclude(pk=profile.pk)
        .order_by("created_at")
        .first()
    )
    if earlier is not None:
        for name in ("name", "phone", "interests", "home_area", "max_km"):
            setattr(earlier, name, getattr(profile, name))
        earlier.consent = True
        earlier.consented_at = profile.consented_at
        earlier.receives_suggestions = True
        earlier.save()
        earlier.skills.set(profile.skills.all())
        earlier.slots.set(profile.slots.all())
        profile.delete()
        return earlier
    profile.email_confirmed_at = timezone.now()
    profile.receives_suggestions = True
    profile.save(update_fields=["email_confirmed_at", "receives_suggestions", "updated_at"])
    return profile


def score_of(record, opportunity_key):
    """(score, reasons) of one opportunity for a profile record; (0, ()) if not ranked."""
    engine = services.current_engine()
    for result in engine.rank(record, limit=max(engine.opportunity_count, 1)):
        if result.key == opportunity_key:
            return result.score, result.reasons
    return 0.0, ()


@transaction.atomic
def express_interest(page, interest_form, matching_form=None):
    """「参加してみたい」: a suggestion for the coordinators, from the resident.

    Returns the suggestion, or None when this address already asked for this
    opportunity (the resident sees the same thanks either way, so the form
    does not reveal who has applied).
    """
    email = interest_form.cleaned_data["email"]
    if Suggestion.objects.filter(opportunity=page, profile__email__iexact=email).exists():
        return None
    profile = _new_profile(interest_form)
    if matching_form is not None:
        matching_form.apply_to(profile)
        score, reasons = score_of(matching_form.profile_record(), page.slug)
    else:
        profile.save()
        score, reasons = 0.0, ()
    suggestion = Suggestion.objects.create(
        profile=profile,
        opportunity=page,
        source=Suggestion.Source.RESIDENT,
        message=interest_form.cleaned_data.get("message", ""),
        score=score,
        reasons=list(reasons),
    )
    services.sources.invalidate_engine()
    return suggestion
