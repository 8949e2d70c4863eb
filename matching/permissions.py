"""Who may see residents' personal data in the admin.

One permission opens residents' data: `matching.view_residentprofile`, which
the Coordinators group holds (migration 0003) and superusers have. Every
admin view of a model that shows residents' names, contacts or messages
(profiles, suggestions) asks `ResidentDataPermissionPolicy`, registered for
those models in wagtail_hooks.py, so Wagtail's own views, menus, choosers
and bulk actions give Editors and Moderators nothing, even if someone grants
them a permission on suggestions alone.
"""

from wagtail.permission_policies import ModelPermissionPolicy

from cms.core.permissions import DeniedActionsPermissionPolicy

COORDINATORS_GROUP = "Coordinators"
RESIDENT_DATA_PERMISSION = "matching.view_residentprofile"


def may_see_residents(user):
    """Whether `user` may see residents' personal data at all."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(RESIDENT_DATA_PERMISSION))
    )


def is_coordinator(user):
    """Members of the Coordinators group: they also see residents' contact details."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.groups.filter(name=COORDINATORS_GROUP).exists()
    )


class ResidentDataPermissionPolicy(DeniedActionsPermissionPolicy):
    """The model's own permissions, for users who may see residents' data only."""

    def __init__(self, model, denied=(), **kwargs):
        super().__init__(model, denied=denied, **kwargs)

    def user_has_permission(self, user, action):
        return may_see_residents(user) and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action not in self.denied]
        allowed = ModelPermissionPolicy(self.model).users_with_any_permission(actions)
        if not actions:
            return allowed.none()
        residents = ModelPermissionPolicy(self._resident_model()).users_with_permission("view")
        return allowed.filter(pk__in=residents.values("pk"))

    @staticmethod
    def _resident_model():
        from .models import ResidentProfile

        return ResidentProfile
