from django.utils.translation import gettext_lazy as _

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import PopularSearchTerm


class PopularSearchTermViewSet(SnippetViewSet):
    """よく検索されている言葉 as editors choose it (in place of the computed list)."""

    model = PopularSearchTerm
    icon = "search"
    menu_label = _("Often searched")
    list_display = ["query", "sort_order"]
    sort_order_field = "sort_order"
    search_fields = ["query"]


register_snippet(PopularSearchTermViewSet)
