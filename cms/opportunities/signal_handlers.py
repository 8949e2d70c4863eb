"""An opportunity's page names its group and its weekly times; search follows them.

Registered in OpportunitiesConfig.ready(): publishing a group (perhaps under
a new name) re-indexes its opportunities once the change commits, and so
does a change of an opportunity's times (saved after the page itself, so
the index update the save queued may have read the old ones).
"""

from django.db.models.signals import m2m_changed

from wagtail.signals import page_published

from search.index import update_index_later, update_index_of


def group_published(sender, instance, **kwargs):
    from .models import OpportunityPage

    update_index_of(
        OpportunityPage,
        OpportunityPage.objects.child_of(instance).values_list("pk", flat=True),
    )


def slots_changed(sender, instance, action, **kwargs):
    from .models import OpportunityPage

    if action in ("post_add", "post_remove", "post_clear") and isinstance(
        instance, OpportunityPage
    ):
        update_index_later([instance])


def register():
    from cms.groups.models import GroupPage

    from .models import OpportunityPage

    page_published.connect(group_published, sender=GroupPage)
    m2m_changed.connect(slots_changed, sender=OpportunityPage.slots.through)
