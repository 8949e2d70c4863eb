"""The matching workflow: rank, keep suggestions, change their status."""

import threading

from django.db import transaction
from django.utils import timezone

from cms.core.queue import send_on_commit

from . import sources
from .models import MatchingSettings, Suggestion, SuggestionEvent

_local = threading.local()


def current_settings():
    """The default site's matching settings (defaults when there is no site yet)."""
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    return MatchingSettings.for_site(site) if site else MatchingSettings()


def current_weights():
    return current_settings().weights()


def current_engine():
    """This process's engine, rebuilt when opportunities or weights changed."""
    weights = current_weights()
    stamp = (sources.engine_version(), weights)
    cached = getattr(_local, "engine", None)
    if cached is None or cached[0] != stamp:
        cached = _local.engine = (stamp, sources.build_engine(weights))
    return cached[1]


def rank(profile, *, limit=10, kind="opportunities"):
    """Ranked results (matching.engine.records.Result) for a profile record."""
    return current_engine().rank(profile, limit=limit, kind=kind)


def refresh_suggestions(resident):
    """Top up a registered resident's open suggestions from the current ranking.

    A resident has at most `suggestions_per_resident` open (new or contacted)
    suggestions; an opportunity already suggested, whatever became of it, is
    not suggested again. Returns the suggestions created.
    """
    from cms.opportunities.models import OpportunityPage

    if not (resident.consent and resident.receives_suggestions):
        return []
    per_resident = current_settings().suggestions_per_resident
    wanted = per_resident - resident.suggestions.filter(status__in=Suggestion.OPEN_STATUSES).count()
    if wanted <= 0:
        return []
    record = sources.profile_record(resident)
    results = rank(record, limit=per_resident * 3)
    existing = set(resident.suggestions.values_list("opportunity_id", flat=True))
    pages = OpportunityPage.objects.in_bulk([r.key for r in results])
    created = []
    for result in results:
        if len(created) >= wanted:
            break
        page = pages.get(result.key)
        if page is None or result.key in existing:
            continue
        created.append(
            Suggestion.objects.create(
                profile=resident,
                opportunity=page,
                score=result.score,
                reasons=list(result.reasons),
            )
        )
    return created


def change_status(suggestion, status, *, user=None, note=""):
    """Move a suggestion to `status`, record who did it, and tell people when accepted."""
    if status not in Suggestion.Status.values:
        raise ValueError(f"unknown status {status!r}")
    previous = suggestion.status
    if previous == status and not note:
        return suggestion
    with transaction.atomic():
        suggestion.status = status
        if note:
            stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
            suggestion.notes = f"{suggestion.notes}\n[{stamp}] {note}".strip()
        suggestion.save(update_fields=["status", "notes", "updated_at"])
        SuggestionEvent.objects.create(
            suggestion=suggestion,
            from_status=previous,
            to_status=status,
            note=note,
            user=user if getattr(user, "is_authenticated", False) else None,
        )
        if status == Suggestion.Status.ACCEPTED and previous != status:
            from .tasks import send_acceptance_emails

            send_on_commit(send_acceptance_emails, suggestion.pk)
        sources.invalidate_engine()
    return suggestion
