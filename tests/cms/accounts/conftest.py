"""Admin users, real TOTP codes and the second factor switched on."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.contrib.auth.models import Group

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def editor(django_user_model, db):
    """A user of Wagtail's Editors group: in the admin, not a superuser."""
    user = django_user_model.objects.create_user(
        "hanako", email="hanako@city.musashino.example", password=PASSWORD
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def superuser(django_user_model, db):
    return django_user_model.objects.create_superuser(
        "kanri", email="kanri@city.musashino.example", password=PASSWORD
    )


@pytest.fixture
def two_factor_required(settings):
    """Production's default: every admin user gives a second factor."""
    settings.ADMIN_REQUIRE_2FA = True


def code_of(device):
    """The code the user's authenticator app shows now."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def authenticator_for(user):
    """A confirmed authenticator app, as set-up leaves it."""
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
