"""What residents do themselves: register a profile (confirmed by e-mail) and
say 「参加してみたい」 for an opportunity. Coordinators take it from there."""

import datetime

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .models import ResidentProfile, Suggestion, SuggestionEvent

CONFIRM_SALT = "matching.confirm-registration"
CONFIRM_MAX_AGE = datetime.timedelta(days=7)


def confirmation_token(profile):
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(profile.public_id))


def check_token(token):
    """(valid, profile) for a confirmation link.

    valid is False for a broken or expired link; profile is None when the
    link was valid but its profile is gone (merged into an earlier one when
    it was confirmed, or deleted).
    """
    try:
        public_id = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
            token, max_age=CONFIRM_MAX_AGE
        )
    except signing.BadSignature:
        return False, None
    return True, ResidentProfile.objects.filter(public_id=public_id).first()


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
        profile.suggestions.update(profile=earlier)
        profile.delete()
        return earlier
    profile.email_confirmed_at = timezone.now()
    profile.receives_suggestions = True
    profile.save(update_fields=["email_confirmed_at", "receives_suggestions", "updated_at"])
    return profile


def purge_unconfirmed(now=None):
    """Delete registrations never confirmed within the link's lifetime.

    Profiles that asked to take part (they have suggestions) stay: the office
    is dealing with them. Returns how many were deleted.
    """
    cutoff = (now or timezone.now()) - CONFIRM_MAX_AGE
    stale = ResidentProfile.objects.filter(
        email_confirmed_at__isnull=True, created_at__lt=cutoff, suggestions__isnull=True
    ).exclude(key__gt="")  # imported profiles are the office's, not web registrations
    deleted, _ = stale.delete()
    return deleted


def score_of(record, opportunity_key):
    """(score, reasons) of one opportunity (by page id) for a profile record;
    (0, ()) if not ranked."""
    result = services.score_of(record, opportunity_key)
    return (result.score, result.reasons) if result is not None else (0.0, ())


def _profile_for(interest_form, matching_form):
    """The address's existing profile (confirmed first), or a new one.

    An existing profile is not changed by what an unverified form says; the
    request is recorded on its suggestion instead.
    """
    email = interest_form.cleaned_data["email"]
    existing = (
        ResidentProfile.objects.select_for_update()
        .filter(email__iexact=email)
        .order_by(F("email_confirmed_at").asc(nulls_last=True), "created_at")
        .first()
    )
    if existing is not None:
        return existing
    profile = _new_profile(interest_form)
    if matching_form is not None:
        matching_form.apply_to(profile)
    else:
        profile.save()
    return profile


@transaction.atomic
def express_interest(page, interest_form, matching_form=None):
    """「参加してみたい」: a suggestion for the coordinators, from the resident.

    A second request for the same opportunity (a double click, or a resident
    the engine had already suggested it to, even one declined before) is
    recorded on the existing suggestion, which opens again; the resident sees
    the same thanks either way, so the form does not reveal who has applied.
    """
    profile = _profile_for(interest_form, matching_form)
    message = interest_form.cleaned_data.get("message", "")
    suggestion = (
        Suggestion.objects.select_for_update().filter(profile=profile, opportunity=page).first()
    )
    if suggestion is None:
        if matching_form is not None:
            score, reasons = score_of(matching_form.profile_record(), page.pk)
        else:
            score, reasons = 0.0, ()
        suggestion = Suggestion.objects.create(
            profile=profile,
            opportunity=page,
            source=Suggestion.Source.RESIDENT,
            message=message,
            score=score,
            reasons=list(reasons),
        )
    else:
        previous = suggestion.status
        if previous not in Suggestion.OPEN_STATUSES and previous != Suggestion.Status.ACCEPTED:
            suggestion.status = Suggestion.Status.NEW
        suggestion.source = Suggestion.Source.RESIDENT
        if message and message not in suggestion.message:  # a double click adds nothing
            suggestion.message = f"{suggestion.message}\n\n{message}".strip()
        suggestion.save(update_fields=["status", "source", "message", "updated_at"])
        SuggestionEvent.objects.create(
            suggestion=suggestion,
            from_status=previous,
            to_status=suggestion.status,
            note=_("The resident asked to take part (again) through the website."),
        )
    services.crowding_changed([page.pk])
    return suggestion
