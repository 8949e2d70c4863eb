"""An opportunity's page names its group; search follows the group's title.

Registered in OpportunitiesConfig.ready(): publishing a group (perhaps under
a new name) re-indexes its opportunities once the change commits.
"""

from wagtail.signals import page_published

from search.index import update_index_of


def group_published(sender, instance, **kwargs):
    from .models import OpportunityPage

    update_index_of(
        OpportunityPage,
        OpportunityPage.objects.child_of(instance).values_list("pk", flat=True),
    )


def register():
    from cms.groups.models import GroupPage

    page_published.connect(group_published, sender=GroupPage)
