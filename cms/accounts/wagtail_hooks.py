from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def register_account_urls():
    return [
        path("2fa/", views.two_factor, name="accounts_two_factor"),
        path("2fa/verify/", views.verify, name="accounts_verify"),
        path("2fa/setup/", views.setup, name="accounts_setup"),
        path("accounts/lockouts/", views.lockouts, name="accounts_lockouts"),
        path(
            "accounts/lockouts/<int:attempt_id>/unlock/",
            views.unlock,
            name="accounts_unlock",
        ),
        path("accounts/second-factors/", views.second_factors, name="accounts_second_factors"),
        path(
            "accounts/second-factors/<int:user_id>/reset/",
            views.reset_second_factor,
            name="accounts_reset_second_factor",
        ),
    ]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_lockouts_menu_item():
    return SuperuserMenuItem(
        _("Sign-in lockouts"), reverse("accounts_lockouts"), icon_name="lock-open", order=900
    )


@hooks.register("register_settings_menu_item")
def register_second_factors_menu_item():
    return SuperuserMenuItem(
        _("Two-factor authentication"),
        reverse("accounts_second_factors"),
        icon_name="key",
        order=910,
    )


@hooks.register("register_account_menu_item")
def register_two_factor_account_item(request):
    return {
        "url": reverse("accounts_two_factor"),
        "label": _("Two-factor authentication"),
        "help_text": _("Set up or replace your authenticator app, or get new recovery codes."),
    }
