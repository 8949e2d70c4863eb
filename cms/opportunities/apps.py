from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    name = "cms.opportunities"
    label = "opportunities"
    verbose_name = _("Volunteer opportunities")
    # Publishing, closing or deleting an opportunity reaches the matching
    # engines through matching.signal_handlers (one place, send_on_commit).
    # Search follows the group's title (signal_handlers).

    def ready(self):
        from . import signal_handlers

        signal_handlers.register()
