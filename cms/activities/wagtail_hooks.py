from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import ActivitySeries


class ActivitySeriesViewSet(SnippetViewSet):
    model = ActivitySeries
    icon = "date"
    menu_order = 280
    add_to_admin_menu = True
    list_display = ["name", "schedule_note"]


register_snippet(ActivitySeriesViewSet)
