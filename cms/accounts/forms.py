from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm

from cms.infrastructure.queue import send_on_commit

from .tasks import send_password_reset, staff_address_digest


def normalised_code(value):
    """A code as typed: spaces and hyphens dropped, lower case (recovery codes)."""
    return "".join(value.split()).replace("-", "").lower()


class CodeForm(forms.Form):
    """The 6-digit code of the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Confirmation code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "autofocus": True}
        ),
    )

    def __init__(self, user, devices=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Set-up checks its new, still unconfirmed device; sign-in the user's own.
        self.devices = devices
        self.device = None

    def candidates(self, code):
        """Digits go to the authenticator, anything else to the recovery codes,
        so a mistyped code counts against one device's throttle only."""
        model = TOTPDevice if code.isdigit() else StaticDevice
        if self.devices is not None:
            return [device for device in self.devices if isinstance(device, model)]
        return [
            device
            for device in devices_for_user(self.user, for_verify=True)
            if isinstance(device, model)
        ]

    def clean_code(self):
        code = normalised_code(self.cleaned_data["code"])
        with transaction.atomic():
            devices = self.candidates(code)
            for device in devices:
                allowed, details = device.verify_is_allowed()
                if not allowed and details and details.get("locked_until"):
                    seconds = max(
                        1, int((details["locked_until"] - timezone.now()).total_seconds()) + 1
                    )
                    raise forms.ValidationError(
                        _("Too many wrong codes. Wait %(seconds)s seconds and try again."),
                        params={"seconds": seconds},
                        code="throttled",
                    )
            for device in devices:
                if device.verify_token(code):
                    self.device = device
                    return code
        raise forms.ValidationError(
            _(
                "That code is not right. Enter the 6-digit code your app shows now, "
                "or a recovery code."
            ),
            code="invalid",
        )


class PasswordResetForm(WagtailPasswordResetForm):
    """Wagtail's form, but the mail is a task's business: saving only queues it."""

    def save(self, **kwargs):
        send_on_commit(send_password_reset, staff_address_digest(self.cleaned_data["email"]))
