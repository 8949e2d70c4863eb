"""Password-reset mail, sent from a task so that a known and an unknown
address cost the request the same: the request only queues this task, with a
keyed digest of the address (never the address itself) as its argument."""

from urllib.parse import urlsplit

from celery import shared_task

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cms.infrastructure.abuse import address_digest

SUBJECT_TEMPLATE = "wagtailadmin/account/password_reset/email_subject.txt"
BODY_TEMPLATE = "wagtailadmin/account/password_reset/email.txt"


def staff_address_digest(address):
    """A staff address as the reset task's argument carries it."""
    return address_digest(address, "cms.accounts.password_reset")


def users_with_address(digest):
    """Active users with a usable password whose address has this digest."""
    users = get_user_model()._default_manager.filter(is_active=True).exclude(email="")
    return [
        user
        for user in users
        if user.has_usable_password()
        and constant_time_compare(staff_address_digest(user.email), digest)
    ]


@shared_task
def send_password_reset(digest):
    """Send Django's reset mail to each user whose address has this digest."""
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    form = PasswordResetForm()
    for user in users_with_address(digest):
        context = {
            "email": user.email,
            "domain": base.netloc,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            "protocol": base.scheme or "https",
        }
        form.send_mail(SUBJECT_TEMPLATE, BODY_TEMPLATE, context, None, user.email)
