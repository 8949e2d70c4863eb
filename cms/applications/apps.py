from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "cms.applications"
    label = "applications"
    verbose_name = _("Applications")

    def ready(self):
        from wagtail.signals import page_published

        from cms.activities.models import ActivityPage

        from . import signal_handlers
        from .booking import promote_after_publish

        page_published.connect(promote_after_publish, sender=ActivityPage)
        signal_handlers.register()
