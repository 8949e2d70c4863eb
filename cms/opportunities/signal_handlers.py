"""Opportunities changed: the matching engine rebuilds its matrices (via Celery)."""

from django.db import transaction
from django.db.models.signals import post_delete

from wagtail.signals import page_published, page_unpublished

from .models import OpportunityPage


def opportunities_changed(**kwargs):
    from matching.tasks import rebuild_engine

    transaction.on_commit(rebuild_engine.delay)


def register():
    for signal in (page_published, page_unpublished, post_delete):
        signal.connect(opportunities_changed, sender=OpportunityPage)
