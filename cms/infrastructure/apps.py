from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfrastructureConfig(AppConfig):
    """What every app runs on: the task queue and its kept tasks, the task
    backend, abuse controls on public forms, and the health check."""

    name = "cms.infrastructure"
    label = "infrastructure"
    verbose_name = _("Infrastructure")

    def ready(self):
        # Wagtail's admin views are importable only once the apps are loaded.
        from . import exports

        exports.install()
