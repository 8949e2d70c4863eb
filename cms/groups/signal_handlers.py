"""A group's page lists the activities it took part in; search follows them.

Registered in GroupsConfig.ready(). The list shows only live activities, so
it changes when an activity is published, unpublished or deleted, and when a
group is added to or taken off an activity; the groups concerned are
re-indexed once the change commits (search.index.update_index_of).
"""

from django.db.models.signals import post_delete, post_save, pre_delete

from wagtail.signals import page_published, page_unpublished

from search.index import update_index_of


def _update_groups(group_ids):
    from .models import GroupPage

    update_index_of(GroupPage, group_ids)


def groups_of(activity):
    return set(activity.participations.values_list("group_id", flat=True))


def activity_published_or_unpublished(sender, instance, **kwargs):
    _update_groups(groups_of(instance))


def activity_deleting(sender, instance, **kwargs):
    # The participations go with the activity: note the groups first.
    instance._groups_shown_on = groups_of(instance)


def activity_deleted(sender, instance, **kwargs):
    _update_groups(getattr(instance, "_groups_shown_on", ()))


def participation_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _update_groups([instance.group_id])


def register():
    from cms.activities.models import ActivityPage, ActivityParticipation

    page_published.connect(activity_published_or_unpublished, sender=ActivityPage)
    page_unpublished.connect(activity_published_or_unpublished, sender=ActivityPage)
    pre_delete.connect(activity_deleting, sender=ActivityPage)
    post_delete.connect(activity_deleted, sender=ActivityPage)
    post_save.connect(participation_changed, sender=ActivityParticipation)
    post_delete.connect(participation_changed, sender=ActivityParticipation)
