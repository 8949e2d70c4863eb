from wagtail.permission_policies import ModelPermissionPolicy


class DeniedActionsPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, except some actions nobody may take in the admin."""

    def __init__(self, model, denied, **kwargs):
        super().__init__(model, **kwargs)
        self.denied = frozenset(denied)

    def user_has_permission(self, user, action):
        return action not in self.denied and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
