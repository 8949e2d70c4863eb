from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessibilityConfig(AppConfig):
    name = "cms.accessibility"
    label = "accessibility"
    verbose_name = _("Web accessibility")
