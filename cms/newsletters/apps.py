from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    name = "cms.newsletters"
    label = "newsletters"
    verbose_name = _("Newsletter")
