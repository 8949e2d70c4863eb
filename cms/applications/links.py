"""Links in applicants' e-mails: confirm an application, or manage it
(see it, answer the reminder, cancel).

A link carries a random token and nothing else; only its SHA-256 digest is
stored (ApplicationLink), as matching.tokens does for residents. Tokens are
made inside the mail task, at send time, so none sits in the broker, a retry
or a PendingTask row. A manage link works until the day after the activity;
a confirmation link for CONFIRM_HOURS.
"""

import datetime
import secrets

from django.conf import settings
from django.utils import timezone

from matching.tokens import MAX_TOKEN_LENGTH, digest_of, public_url

from .models import ApplicationLink

Purpose = ApplicationLink.Purpose

__all__ = ["Purpose", "find", "issue", "public_url", "purge"]


def _expiry(purpose, application, now):
    if purpose == Purpose.CONFIRM:
        return now + datetime.timedelta(hours=settings.APPLICATION_CONFIRM_HOURS)
    return max(application.activity.ends_at, now) + datetime.timedelta(days=1)


def issue(purpose, application):
    """A new link token for `application`; returns the raw value, stored nowhere."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    ApplicationLink.objects.create(
        application=application,
        purpose=purpose,
        digest=digest_of(raw),
        created_at=now,
        expires_at=_expiry(purpose, application, now),
    )
    return raw


def find(purpose, raw):
    """The unexpired link of this purpose (used or not), or None."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return (
        ApplicationLink.objects.select_related("application__activity")
        .filter(purpose=purpose, digest=digest_of(raw), expires_at__gt=timezone.now())
        .first()
    )


def purge(now=None):
    """Delete expired links. Returns the count."""
    deleted, _ = ApplicationLink.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted
