"""The matching workflow: rank, keep suggestions, change their status.

Ranking goes to the search engine when one is configured and its matching
index is built (matching.search_index), else to this process's in-process
engine; when the search engine fails, this process ranks in-process for a
while (ENGINE_RETRY_SECONDS) and logs a warning, and residents notice nothing.
"""

import logging
import threading
import time

from django.db import transaction
from django.utils import timezone

from cms.infrastructure.queue import send_on_commit

from . import search_index, sources
from .engine.indexing import EngineUnavailable
from .models import MatchingSettings, Suggestion, SuggestionEvent

logger = logging.getLogger(__name__)
_local = threading.local()
# After the search engine failed, rank in-process this long before trying again.
ENGINE_RETRY_SECONDS = 30.0
# While the index is not built, look again this often.
INDEX_RECHECK_SECONDS = 60.0


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


def current_ranker():
    """This process's search-engine ranker; None without an engine, while
    its index is not built, or for a while after the engine failed.

    Raises EngineUnavailable when the engine does not answer.
    """
    if not search_index.is_configured():
        return None
    now = time.monotonic()
    if getattr(_local, "engine_down_until", 0.0) > now:
        return None
    weights = current_weights()
    where = (search_index.engine_url(), search_index.index_names())
    stamp = (sources.engine_version(), weights, where)
    cached = getattr(_local, "ranker", None)
    if cached is None or cached[0] != stamp or (cached[1] is None and cached[2] <= now):
        cached = _local.ranker = (stamp, search_index.ranker(weights), now + INDEX_RECHECK_SECONDS)
    return cached[1]


def _on_the_engine(method, *args, **kwargs):
    """(True, what the search-engine ranker's `method` returns), or (False, None)
    when the in-process engine has to rank."""
    try:
        ranker = current_ranker()
        if ranker is not None:
            return True, getattr(ranker, method)(*args, **kwargs)
    except EngineUnavailable as error:
        _local.engine_down_until = time.monotonic() + ENGINE_RETRY_SECONDS
        _local.ranker = None
        logger.warning("matching: search engine unavailable, ranking in-process: %s", error)
    return False, None


def rank(profile, *, limit=10, kind="opportunities"):
    """Ranked results (matching.engine.records.Result) for a profile record."""
    return rank_many([profile], limit=limit, kind=kind)[0]


def rank_many(profiles, *, limit=10, kind="opportunities"):
    """rank() for each of a list of profile records."""
    profiles = list(profiles)
    ranked, results = _on_the_engine("rank_many", profiles, limit=limit, kind=kind)
    if ranked:
        return results
    return current_engine().rank_many(profiles, limit=limit, kind=kind)


def score_of(profile, opportunity_key):
    """The Result of one opportunity (by page id) for a profile, or None if it is not open."""
    ranked, result = _on_the_engine("score_of", profile, opportunity_key)
    if ranked:
        return result
    engine = current_engine()
    for result in engine.rank(profile, limit=max(engine.opportunity_count, 1)):
        if result.key == opportunity_key:
            return result
    return None


def crowding_changed(opportunity_ids):
    """Suggestions changed how crowded these opportunities are: tell the engines."""
    from .tasks import update_matching_crowding

    # Now for this process, and again once committed for those that rebuilt meanwhile.
    sources.invalidate_engine()
    transaction.on_commit(sources.invalidate_engine)
    opportunity_ids = sorted({pk for pk in opportunity_ids if pk is not None})
    if opportunity_ids and search_index.is_configured():
        send_on_commit(update_matching_crowding, opportunity_ids)


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
    if created:
        crowding_changed(suggestion.opportunity_id for suggestion in created)
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
        crowding_changed([suggestion.opportunity_id])
    return suggestion
