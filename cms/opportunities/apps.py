from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    name = "cms.opportunities"
    label = "opportunities"
    verbose_name = _("Volunteer opportunities")

    def ready(self):
        from . import signal_handlers

        signal_handlers.register()
