from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self):
        from . import index, media

        # Wagtail's images and documents first: what they index is followed too.
        media.analyse_images_and_documents()
        index.register_related_updates()
