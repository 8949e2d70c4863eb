"""Admin views of the account guards: the second factor (set-up, sign-in,
replacing a device, recovery codes), superusers' unlock and 2FA reset pages,
and password reset that answers the same whatever the address."""

import logging
from base64 import b32encode

import django_otp
import segno
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wagtail.admin import messages
from wagtail.admin.views.account import PasswordResetView as WagtailPasswordResetView

from cms.infrastructure.abuse import TOO_MANY_MESSAGE, too_many

from .forms import CodeForm, PasswordResetForm
from .middleware import client_address

logger = logging.getLogger("cms.accounts")


def next_url(request):
    """The admin page to go on to, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("wagtailadmin_home")


def verify(request):
    """Sign-in, second step: the code of the user's authenticator or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(next_url(request))
    if not user_has_device(user):
        return redirect(f"{reverse('accounts_setup')}?{urlencode({'next': next_url(request)})}")
    form = CodeForm(user, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            django_otp.login(request, form.device)
            # A new session id once the second factor is given.
            request.session.cycle_key()
            logger.info("second factor given: user #%s from %s", user.pk, client_address(request))
            if isinstance(form.device, StaticDevice):
                left = form.device.token_set.count()
                messages.warning(
                    request,
                    _("You used a recovery code; %(count)s are left.") % {"count": left},
                )
            return redirect(next_url(request))
        logger.warning("wrong second factor: user #%s from %s", user.pk, client_address(request))
    return TemplateResponse(
        request, "accounts/verify.html", {"form": form, "next": next_url(request)}
    )


def setup(request):
    """Set up an authenticator app (TOTP): QR code and secret, confirmed with a code.

    Reachable without a confirmed device, or after giving the second factor
    (to replace the device); never by someone who has only the password of
    an account that has a device.
    """
    user = request.user
    if user_has_device(user) and not user.is_verified():
        return redirect(f"{reverse('accounts_verify')}?{urlencode({'next': next_url(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = CodeForm(user, devices=[device], data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = confirm_device(user, device)
        django_otp.login(request, device)
        request.session.cycle_key()
        logger.info("authenticator set up: user #%s from %s", user.pk, client_address(request))
        return TemplateResponse(
            request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url(request)}
        )
    secret = b32encode(device.bin_key).decode()
    return TemplateResponse(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "next": next_url(request),
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(
                # A 4-module quiet zone (needed to scan it), small enough for a phone.
                scale=3,
                border=4,
                light="#fff",
                title=_("QR code for your authenticator app"),
            ),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "replacing": user_has_device(user),
        },
    )


@transaction.atomic
def confirm_device(user, device):
    """Make `device` the user's only authenticator, with new recovery codes."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(user)


def new_recovery_codes(user):
    """Replace the user's recovery codes; returns them (shown once, stored as tokens)."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=_("Recovery codes"))
    codes = [StaticToken.random_token() for _ in range(settings.ADMIN_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def two_factor(request):
    """The user's own second factor: status, replace the authenticator, new codes."""
    user = request.user
    if request.method == "POST" and user.is_verified():
        codes = new_recovery_codes(user)
        # The recovery-code device was replaced: keep the session verified.
        totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if totp is not None:
            django_otp.login(request, totp)
        logger.info("new recovery codes: user #%s", user.pk)
        return TemplateResponse(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next": reverse("accounts_two_factor")},
        )
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return TemplateResponse(
        request,
        "accounts/two_factor.html",
        {
            "totp": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
            "codes_left": static.token_set.count() if static else 0,
            "required": settings.ADMIN_REQUIRE_2FA,
        },
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out username or address (429).

    The same page whether or not the username exists, without the username.
    """
    logger.warning("sign-in refused (locked out) from %s", client_address(request))
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return TemplateResponse(
        request, "accounts/locked_out.html", {"minutes": minutes}, status=429
    ).render()


def require_superuser(request):
    if not request.user.is_superuser:
        raise PermissionDenied


def lockouts(request):
    """Superusers: usernames and addresses with recent wrong passwords, to unlock."""
    require_superuser(request)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(attempt_time__gte=since).order_by("-attempt_time")
    return TemplateResponse(
        request,
        "accounts/lockouts.html",
        {
            "attempts": attempts,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


@require_POST
def unlock(request, attempt_id):
    """Unlock the attempt's username (from every address) and its address."""
    require_superuser(request)
    attempt = get_object_or_404(AccessAttempt, pk=attempt_id)
    axes_reset(ip=attempt.ip_address, username=attempt.username, ip_or_username=True)
    logger.warning(
        "unlocked %r and %s: by user #%s", attempt.username, attempt.ip_address, request.user.pk
    )
    messages.success(
        request,
        _("Unlocked %(username)s and %(address)s.")
        % {"username": attempt.username, "address": attempt.ip_address},
    )
    return redirect("accounts_lockouts")


def second_factors(request):
    """Superusers: who has a second factor, to reset it when a phone is lost."""
    require_superuser(request)
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    rows = [
        {"user": user, "totp": TOTPDevice.objects.filter(user=user, confirmed=True).first()}
        for user in users
        if user.is_staff or user.has_perm("wagtailadmin.access_admin")
    ]
    return TemplateResponse(request, "accounts/second_factors.html", {"rows": rows})


@require_POST
def reset_second_factor(request, user_id):
    """Remove a user's authenticator and recovery codes: they set up a new one at sign-in."""
    require_superuser(request)
    user = get_object_or_404(get_user_model(), pk=user_id)
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    logger.warning("second factor reset: user #%s by user #%s", user.pk, request.user.pk)
    messages.success(
        request,
        _(
            "The second factor of %(username)s was reset. They set up a new one "
            "when they next sign in."
        )
        % {"username": user.get_username()},
    )
    return redirect("accounts_second_factors")


class PasswordResetView(WagtailPasswordResetView):
    """Wagtail's password reset, throttled per client and per mailbox, and the
    same work whatever the address: the mail is always a queued task's business."""

    def get_form_class(self):
        return PasswordResetForm

    def form_valid(self, form):
        if too_many(self.request, "admin-password-reset", form.cleaned_data["email"]):
            form.add_error(None, TOO_MANY_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
