"""Guards in front of the admin (/admin/, /django-admin/).

- AdminNetworkMiddleware: outside ADMIN_ALLOWED_NETWORKS the admin does not
  exist (404, the site's own page), so a scan finds nothing to attack.
- AdminSessionMiddleware: a session idle longer than
  ADMIN_IDLE_TIMEOUT_MINUTES, or older than ADMIN_SESSION_HOURS, is signed out
  on its next admin request; and an admin user who has not given the second
  factor in this session reaches only the pages that ask for it.

Wagtail's editing-session pings (every few seconds while an editor is open)
are not activity: an editor left open in a browser tab would otherwise never
time out. Autosave is: Wagtail sends it only after the editor changed the form.
"""

import ipaddress
import logging
import time

from django_otp import user_has_device

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cms.infrastructure.abuse import client_ip

logger = logging.getLogger("cms.accounts")

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
# Session keys: when the user signed in, and their last request (epoch seconds).
AUTHENTICATED_AT = "accounts_authenticated_at"
LAST_ACTIVITY = "accounts_last_activity"
# The last-activity time is written at most this often (a session save each).
ACTIVITY_RESOLUTION_SECONDS = 30


def client_address(request):
    """The client's address as the public forms see it (abuse.client_ip), or
    None for a request that came from no network (Django's test force_login)."""
    if "REMOTE_ADDR" not in request.META:
        return None
    return client_ip(request)


def is_admin_path(path):
    return path.startswith(ADMIN_PREFIXES)


class AdminNetworkMiddleware:
    """404 for the admin from addresses outside ADMIN_ALLOWED_NETWORKS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        networks = settings.ADMIN_ALLOWED_NETWORKS
        if networks and is_admin_path(request.path):
            address = ipaddress.ip_address(client_ip(request))
            if not any(address in network for network in networks):
                logger.warning("admin request from %s outside the allowed networks", address)
                raise Http404
        return self.get_response(request)


def is_background_request(request):
    """Wagtail's editing-session pings and releases: timers, not a person."""
    return request.path.startswith(reverse("wagtailadmin_home") + "editing-sessions/")


def needs_second_factor(user):
    """Admin users give a code when the city requires it or they set up a device."""
    if not user.has_perm("wagtailadmin.access_admin") and not user.is_staff:
        return False
    return settings.ADMIN_REQUIRE_2FA or user_has_device(user)


# Reachable before the second factor: signing in and out, setting up and
# giving the code, password reset, and what those pages load.
SECOND_FACTOR_EXEMPT_URL_NAMES = (
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_password_reset",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "accounts_verify",
    "accounts_setup",
)


class AdminSessionMiddleware:
    """Idle and absolute timeouts, then the second factor, on admin requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_admin_path(request.path) and request.user.is_authenticated:
            response = self.end_expired_session(request) or self.ask_second_factor(request)
            if response is not None:
                return response
        return self.get_response(request)

    def end_expired_session(self, request):
        session, now = request.session, time.time()
        last_activity = session.get(LAST_ACTIVITY)
        authenticated_at = session.get(AUTHENTICATED_AT)
        idle = last_activity is not None and (
            now - last_activity > settings.ADMIN_IDLE_TIMEOUT_MINUTES * 60
        )
        too_old = authenticated_at is not None and (
            now - authenticated_at > settings.ADMIN_SESSION_HOURS * 60 * 60
        )
        if idle or too_old:
            user_id = request.user.pk
            logout(request)
            logger.info(
                "admin session of user #%s ended (%s)", user_id, "idle" if idle else "too old"
            )
            if idle:
                message = _(
                    "You have been signed out because the admin was not used for "
                    "%(minutes)s minutes. Please sign in again."
                ) % {"minutes": settings.ADMIN_IDLE_TIMEOUT_MINUTES}
            else:
                message = _(
                    "You have been signed out because you signed in more than %(hours)s "
                    "hours ago. Please sign in again."
                ) % {"hours": settings.ADMIN_SESSION_HOURS}
            messages.warning(request, message)
            return redirect_to_login(self.next_url(request), reverse("wagtailadmin_login"))
        if authenticated_at is None:
            # Signed in before these clocks existed (or by a test's force_login).
            session[AUTHENTICATED_AT] = now
        if not is_background_request(request) and (
            last_activity is None or now - last_activity > ACTIVITY_RESOLUTION_SECONDS
        ):
            session[LAST_ACTIVITY] = now
        return None

    def ask_second_factor(self, request):
        user = request.user
        if user.is_verified() or not needs_second_factor(user):
            return None
        exempt = {reverse(name) for name in SECOND_FACTOR_EXEMPT_URL_NAMES}
        if request.path in exempt or request.path.startswith(
            reverse("wagtailadmin_password_reset")
        ):
            return None
        target = "accounts_verify" if user_has_device(user) else "accounts_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': self.next_url(request)})}")

    @staticmethod
    def next_url(request):
        """Where to return after signing in: the page asked for, not a background request."""
        if request.method == "GET" and not is_background_request(request):
            return request.get_full_path()
        return reverse("wagtailadmin_home")
