"""Signal handlers of the matching app (registered in MatchingConfig.ready).

Pages changed: publishing, unpublishing (closing is publishing with 募集中
unticked), deleting or moving an opportunity or a group updates the matching
index through Celery, and marks the in-process engines stale.

Residents' data: Wagtail's log names their records by number, and deleting
them erases what still names them (privacy.py).
"""

from django.db import transaction
from django.db.models.signals import post_delete, pre_save

from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.infrastructure.queue import send_on_commit

from . import search_index, sources


def _changed(opportunity_ids=(), group_ids=()):
    if not search_index.is_configured():
        transaction.on_commit(sources.invalidate_engine)
        return
    from .tasks import update_matching_index

    send_on_commit(
        update_matching_index, opportunity_ids=list(opportunity_ids), group_ids=list(group_ids)
    )


def opportunity_changed(sender, instance, **kwargs):
    _changed(opportunity_ids=[instance.pk])


def group_changed(sender, instance, **kwargs):
    _changed(group_ids=[instance.pk])


def opportunity_moved(sender, instance, parent_page_before, parent_page_after, **kwargs):
    _changed(opportunity_ids=[instance.pk], group_ids=[parent_page_before.pk, parent_page_after.pk])


def pseudonymise_log_label(sender, instance, **kwargs):
    """Wagtail's log entries (site history, object history) name a resident's
    record by its number, never by the resident's name: the history stays
    useful without being a list of residents, and nothing survives erasure."""
    from .models import ResidentProfile, Suggestion

    model = instance.content_type.model_class() if instance.content_type_id else None
    if model in (ResidentProfile, Suggestion):
        instance.label = f"{model._meta.verbose_name} #{instance.object_id}"


def register():
    from cms.groups.models import GroupPage
    from cms.opportunities.models import OpportunityPage

    for signal in (page_published, page_unpublished, post_delete):
        signal.connect(opportunity_changed, sender=OpportunityPage)
        signal.connect(group_changed, sender=GroupPage)
    post_page_move.connect(opportunity_moved, sender=OpportunityPage)
    from wagtail.models import ModelLogEntry

    pre_save.connect(pseudonymise_log_label, sender=ModelLogEntry)
    # Erasure that erases: Wagtail's log, kept tasks, search queries (privacy.py).
    from . import privacy

    privacy.register_signal_handlers()
