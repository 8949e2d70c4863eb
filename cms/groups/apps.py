from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "cms.groups"
    label = "groups"
    verbose_name = _("Civic groups")

    def ready(self):
        from . import signal_handlers

        signal_handlers.register()
