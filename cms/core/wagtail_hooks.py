from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Area, ContactPoint, FieldOfActivity, PageFeedback
from .permissions import DeniedActionsPermissionPolicy


class ContactPointViewSet(SnippetViewSet):
    model = ContactPoint
    icon = "mail"
    list_display = ["__str__", "phone", "fax"]


class FieldOfActivityViewSet(SnippetViewSet):
    model = FieldOfActivity
    icon = "tag"
    list_display = ["name", "slug", "sort_order"]


class AreaViewSet(SnippetViewSet):
    model = Area
    icon = "site"
    list_display = ["name", "kana", "latitude", "longitude"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("Taxonomies")
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (FieldOfActivityViewSet, AreaViewSet, ContactPointViewSet)


register_snippet(TaxonomyGroup)


# Residents write feedback; editors read, export and delete it.
register_permission_policy(
    PageFeedback, DeniedActionsPermissionPolicy(PageFeedback, denied=("add", "change"))
)


class PageFeedbackViewSet(ModelViewSet):
    model = PageFeedback
    icon = "comment"
    menu_label = _("Page feedback")
    add_to_admin_menu = True
    menu_order = 310
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["page_title", "usefulness", "findability", "comment", "created_at"]
    list_filter = ["usefulness", "findability"]
    search_fields = ["page_title", "comment"]
    list_export = [
        "received",
        "page_title",
        "page_url",
        "get_usefulness_display",
        "get_findability_display",
        "comment",
    ]
    export_headings = {
        "received": _("Received at"),
        "get_usefulness_display": _("Usefulness"),
        "get_findability_display": _("Findability"),
    }
    export_filename = "page-feedback"
    form_fields = ["usefulness", "findability", "comment"]


@hooks.register("register_admin_viewset")
def register_page_feedback_viewset():
    return PageFeedbackViewSet("page_feedback")
