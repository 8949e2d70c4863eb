"""参加申込 in the Wagtail admin: the menu item and the office's views
(admin_views.py), for users with applications.manage_applications."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

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
