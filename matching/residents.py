"""What residents do themselves: register a profile (confirmed by e-mail) and
say 「参加してみたい」 for an opportunity. Coordinators take it from there."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import privacy, services, tokens
from .models import (
    AccessToken,
    PendingInterest,
    PersonalDataAccess,
    ResidentProfile,
    Suggestion,
    SuggestionEvent,
    email_digest,
)

CONFIRM_MAX_AGE = tokens.LIFETIMES[AccessToken.Purpose.CONFIRM_REGISTRATION]


def _new_profile(contact_form):
    profile = contact_form.save(commit=False)
    profile.consent = True
    profile.consented_at = timezone.now()
    profile.registered_through = ResidentProfile.Channel.WEB
    # Suggestions start only once the resident has confirmed the address.
    profile.receives_suggestions = False
    return profile


@transaction.atomic
def register(matching_form, contact_form):
    """Store an unconfirmed profile; the caller sends the confirmation e-mail."""
    profile = _new_profile(contact_form)
    matching_form.apply_to(profile)
    return profile


def _use(access):
    """Mark a link used, once: (True, the token) the first time, (False, it) after."""
    # Only the token's row is locked: its profile is nullable (a my-data link
    # may name only an address), and PostgreSQL locks no outer join's side.
    access = (
        AccessToken.objects.select_for_update(of=("self",))
        .select_related("profile")
        .get(pk=access.pk)
    )
    if access.used_at:
        return False, access
    access.used_at = timezone.now()
    access.save(update_fields=["used_at"])
    return True, access


@transaction.atomic
def confirm_registration(access):
    """The confirmation link was followed (and its button pressed): the link
    is used up and the profile confirmed. Returns the profile that remains."""
    first_use, access = _use(access)
    return confirm(access.profile) if first_use else access.profile


@transaction.atomic
def confirm(profile):
    """The resident clicked the link: start suggestions. An earlier confirmed
    profile with the same address takes the new answers, so one person keeps
    one profile and its history. Returns the profile that remains."""
    if profile.email_confirmed_at:
        return profile
    earlier = (
        ResidentProfile.objects.filter(email_digest=email_digest(profile.email))
        .filter(email_confirmed_at__isnull=False)
        .exclude(pk=profile.pk)
        .order_by("created_at")
        .first()
    )
    if earlier is not None:
        # The latest registration says whether the weekly digest is wanted.
        for name in ("name", "phone", "interests", "home_area", "max_km", "receives_digest"):
            setattr(earlier, name, getattr(profile, name))
        earlier.consent = True
        earlier.consented_at = profile.consented_at
        earlier.receives_suggestions = True
        earlier.save()
        earlier.skills.set(profile.skills.all())
        earlier.slots.set(profile.slots.all())
        profile.suggestions.update(profile=earlier)
        profile.pending_interests.update(profile=earlier)
        profile.access_tokens.update(profile=earlier)
        profile.delete()
        return earlier
    profile.email_confirmed_at = timezone.now()
    profile.receives_suggestions = True
    profile.save(update_fields=["email_confirmed_at", "receives_suggestions", "updated_at"])
    return profile


def purge_unconfirmed(now=None):
    """Erase web profiles never confirmed within the link's lifetime, whatever
    was asked in their name, and requests to take part never confirmed.

    A profile made by 「参加してみたい」 from an address nobody confirmed is
    nobody's: keeping it would keep a stranger's words under a resident's
    address. Profiles the office entered or imported stay. Returns how many
    profiles were erased.
    """
    cutoff = (now or timezone.now()) - CONFIRM_MAX_AGE
    stale = ResidentProfile.objects.filter(
        registered_through=ResidentProfile.Channel.WEB,
        email_confirmed_at__isnull=True,
        created_at__lt=cutoff,
    )
    deleted = privacy.erase(list(stale), action=PersonalDataAccess.Action.PURGED)
    PendingInterest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def score_of(record, opportunity_key):
    """(score, reasons) of one opportunity (by page id) for a profile record;
    (0, ()) if not ranked."""
    result = services.score_of(record, opportunity_key)
    return (result.score, result.reasons) if result is not None else (0.0, ())


def _profile_for(interest_form, matching_form):
    """The address's existing profile (confirmed first), or a new unconfirmed one.

    An existing profile is not changed by what an unverified form says.
    """
    email = interest_form.cleaned_data["email"]
    existing = (
        ResidentProfile.objects.select_for_update()
        .filter(email_digest=email_digest(email))
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
    """「参加してみたい」: a request kept until the address's owner confirms it
    (confirm_interest); the caller mails the link. Returns the PendingInterest.

    Whoever types an address, and whether or not it is known, nothing changes
    for the coordinators before the confirmation, and the sender sees the same
    thanks: the form neither speaks for a resident nor reveals who applied.
    """
    profile = _profile_for(interest_form, matching_form)
    if matching_form is not None:
        score, reasons = score_of(matching_form.profile_record(), page.pk)
    else:
        score, reasons = 0.0, ()
    return PendingInterest.objects.create(
        profile=profile,
        opportunity=page,
        message=interest_form.cleaned_data.get("message", ""),
        score=score,
        reasons=list(reasons),
    )


@transaction.atomic
def confirm_interest(access):
    """The owner of the address confirmed a 「参加してみたい」: a suggestion for
    the coordinators. Returns it, or None when the link was used already.

    A second request for the same opportunity (a double click, or a resident
    the engine had already suggested it to, even one declined before) is
    recorded on the existing suggestion, which opens again.
    """
    first_use, access = _use(access)
    interest = access.interest
    if not first_use or interest is None:
        return None
    profile, page = access.profile, interest.opportunity
    if not profile.email_confirmed_at:  # following the link proves the address
        profile.email_confirmed_at = timezone.now()
        profile.save(update_fields=["email_confirmed_at", "updated_at"])
    message = interest.message
    suggestion = (
        Suggestion.objects.select_for_update().filter(profile=profile, opportunity=page).first()
    )
    if suggestion is None:
        suggestion = Suggestion.objects.create(
            profile=profile,
            opportunity=page,
            source=Suggestion.Source.RESIDENT,
            message=message,
            score=interest.score,
            reasons=interest.reasons,
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
    interest.delete()
    services.crowding_changed([page.pk])
    return suggestion
