"""Single-use links sent to residents by e-mail (my data, confirmations).

A link carries a random token (`secrets.token_urlsafe(32)`) and nothing
else: no address, no id. Only its SHA-256 digest is stored (AccessToken), so
the database, a backup or a log line cannot open anyone's data. Tokens are
made inside the mail task, at send time, so they never sit in the broker, a
retry or PendingTask.
"""

import datetime
import hashlib
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .models import AccessToken

Purpose = AccessToken.Purpose

LIFETIMES = {
    Purpose.MY_DATA: datetime.timedelta(hours=24),
    Purpose.CONFIRM_REGISTRATION: datetime.timedelta(days=7),
    Purpose.CONFIRM_INTEREST: datetime.timedelta(days=7),
}
# Longer than any token: what is not a token is not hashed.
MAX_TOKEN_LENGTH = 100


def digest_of(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(purpose, profile=None, interest=None, *, address_digest=""):
    """A new token for `profile`, or for an address (`address_digest`, by
    models.email_digest) when the link opens what is held for the address
    rather than one profile (my data: profiles and applications for
    activities, which need no profile). Returns the raw value, which is
    stored nowhere."""
    if not address_digest and profile is None:
        raise ValueError("a token is for a profile or an address")
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    AccessToken.objects.create(
        purpose=purpose,
        digest=digest_of(raw),
        profile=profile,
        email_digest=address_digest or profile.email_digest,
        interest=interest,
        created_at=now,
        expires_at=now + LIFETIMES[purpose],
    )
    return raw


def find(purpose, raw):
    """The unexpired token of this purpose (used or not), or None."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return (
        AccessToken.objects.select_related("profile", "interest")
        .filter(purpose=purpose, digest=digest_of(raw), expires_at__gt=timezone.now())
        .first()
    )


def purge(now=None):
    """Delete expired tokens, and used ones a day after their use. Returns the count."""
    now = now or timezone.now()
    used_long_ago = Q(used_at__lt=now - datetime.timedelta(days=1))
    deleted, _ = AccessToken.objects.filter(Q(expires_at__lt=now) | used_long_ago).delete()
    return deleted


def public_url(name, *args):
    """An absolute URL on the public site, for an e-mail.

    The default Wagtail Site's root URL, unless it is still Wagtail's
    placeholder (localhost); then WAGTAILADMIN_BASE_URL.
    """
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    root = site.root_url if site else ""
    if not root or urlsplit(root).hostname == "localhost":
        root = settings.WAGTAILADMIN_BASE_URL
    return root.rstrip("/") + reverse(name, args=args)
