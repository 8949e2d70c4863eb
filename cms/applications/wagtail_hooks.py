"""参加申込 in the Wagtail admin: the menu item and the office's views
(admin_views.py), for users with applications.manage_applications."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem

from cms.activities.models import ActivityPage

from . import admin_views


@hooks.register("register_admin_urls")
def register_application_urls():
    urls = [
        path("", admin_views.activity_index, name="applications_index"),
        path("<int:activity_id>/", admin_views.applicants, name="applications_applicants"),
        path(
            "<int:activity_id>/attendance/",
            admin_views.mark_attendance,
            name="applications_attendance",
        ),
        path(
            "<int:activity_id>/sheet/",
            admin_views.attendance_sheet,
            name="applications_sheet",
        ),
        path(
            "<int:activity_id>/export/<str:file_format>/",
            admin_views.export,
            name="applications_export",
        ),
        path("<int:activity_id>/add/", admin_views.add_application, name="applications_add"),
        path(
            "<int:activity_id>/cancel/<int:application_id>/",
            admin_views.cancel_application,
            name="applications_cancel",
        ),
        path(
            "<int:activity_id>/message/",
            admin_views.message_applicants,
            name="applications_message",
        ),
    ]
    return [path("applications/", include(urls))]


class ApplicationsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_manage_applications(request.user)


@hooks.register("register_admin_menu_item")
def register_applications_menu_item():
    return ApplicationsMenuItem(
        _("Activity applications"),
        reverse("applications_index"),
        name="applications",
        icon_name="clipboard-list",
        order=240,
    )


def _applicants_item(page, user):
    """「申込者一覧」 beside an activity's other actions in the page explorer
    and the page editor, for those who may see its applicants."""
    if page.specific_class is not ActivityPage or not admin_views.may_manage_applications(user):
        return None
    if not page.specific_deferred.takes_applications:
        return None
    return PageMenuItem(
        _("List of applicants"),
        reverse("applications_applicants", args=[page.pk]),
        icon_name="clipboard-list",
        priority=70,
        page=page,
    )


@hooks.register("register_page_header_buttons")
def applicants_header_button(page, user, view_name=None, next_url=None):
    item = _applicants_item(page, user)
    if item is not None:
        yield item


@hooks.register("register_page_listing_more_buttons")
def applicants_listing_button(page, user, next_url=None):
    item = _applicants_item(page, user)
    if item is not None:
        yield item
