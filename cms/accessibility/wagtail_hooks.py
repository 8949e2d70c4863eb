from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from cms.core.permissions import DeniedActionsPermissionPolicy

from .models import AccessibilityTestRun

# Runs come from the browser tests through import_accessibility_results; a
# run typed or edited by hand would no longer be a test result. Deleting a
# mistaken import stays possible.
register_permission_policy(
    AccessibilityTestRun,
    DeniedActionsPermissionPolicy(AccessibilityTestRun, denied=("add", "change")),
)


class AccessibilityTestRunViewSet(ModelViewSet):
    model = AccessibilityTestRun
    icon = "check"
    menu_label = _("Accessibility tests")
    add_to_admin_menu = True
    menu_order = 320
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "__str__",
        "browser",
        "target_level",
        "page_count",
        "violation_count",
        "failing_page_count",
        "imported_at",
    ]
    list_filter = ["target_level"]
    inspect_view_fields = [
        "tested_at_local",
        "tool_name",
        "tool_version",
        "browser",
        "standard",
        "target_level",
        "page_count",
        "violation_count",
        "failing_page_count",
        "imported_at_local",
    ]
    # Never shown (add and change are denied), but ModelViewSet builds the form.
    form_fields = []


@hooks.register("register_admin_viewset")
def register_accessibility_test_run_viewset():
    return AccessibilityTestRunViewSet("accessibility_test_runs")
