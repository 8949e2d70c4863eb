from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Administrator accounts: lockout after wrong passwords, the second factor,
    session timeouts, password reset without a tell, the admin's networks."""

    name = "cms.accounts"
    label = "accounts"
    verbose_name = _("Administrator accounts")

    def ready(self):
        from . import signal_handlers  # noqa: F401
