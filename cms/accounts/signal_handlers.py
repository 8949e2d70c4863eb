"""What the audit log needs about sign-ins: who, from where, never a password."""

import logging
import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .middleware import AUTHENTICATED_AT, LAST_ACTIVITY, client_address

logger = logging.getLogger("cms.accounts")


@receiver(user_logged_in)
def start_admin_session(sender, request, user, **kwargs):
    """Start the clocks of the idle and absolute timeouts."""
    now = time.time()
    request.session[AUTHENTICATED_AT] = now
    request.session[LAST_ACTIVITY] = now
    logger.info("sign-in: user #%s from %s", user.pk, client_address(request))


@receiver(user_logged_out)
def log_sign_out(sender, request, user, **kwargs):
    if user is not None and request is not None:
        logger.info("sign-out: user #%s from %s", user.pk, client_address(request))


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    # Django has already masked the password; only the username is logged.
    address = client_address(request) if request is not None else None
    logger.warning("failed sign-in for %r from %s", credentials.get("username", ""), address)
