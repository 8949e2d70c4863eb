"""Signing in as an attacker and as an administrator would: lockout and
unlock, setting up and giving the second factor, resetting it, and password
reset that tells nothing about the address."""

import logging
import re
from base64 import b32encode

import pytest
from axes.models import AccessAttempt
from celery.signals import task_prerun
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.core import mail
from django.utils import translation

from .conftest import PASSWORD, authenticator_for, code_of

LOGIN = "/admin/login/"


def sign_in(client, username, password, address="203.0.113.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


# -- lockout -----------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "hanako", "wrong").status_code == 200
    locked = sign_in(client, "hanako", "wrong")
    assert locked.status_code == 429
    # From another address too: the username is locked, not only the address.
    assert sign_in(client, "hanako", PASSWORD, address="198.51.100.20").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_nothing_about_whether_the_account_exists(client, editor, settings):
    for username in ("hanako", "nobody-here"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, username, "wrong", address=f"198.51.100.{len(username)}")
    with translation.override("en"):
        known = sign_in(client, "hanako", "wrong", address="192.0.2.1")
        unknown = sign_in(client, "nobody-here", "wrong", address="192.0.2.2")
    assert known.status_code == unknown.status_code == 429
    csrf = re.compile(rb'(csrfmiddlewaretoken" value="|"CSRF_TOKEN": ")[^"]+"')
    assert csrf.sub(b"", known.content) == csrf.sub(b"", unknown.content)
    assert b"hanako" not in known.content
    assert b"60 minutes" in known.content


def test_one_address_trying_many_usernames_is_locked_out(client, editor, superuser, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess{number}", "wrong", address="203.0.113.66")
    assert sign_in(client, "hanako", PASSWORD, address="203.0.113.66").status_code == 429
    # Someone else, elsewhere, signs in.
    assert sign_in(client, "kanri", PASSWORD, address="192.0.2.7").status_code == 302


def test_sign_ins_are_logged_without_passwords(client, editor, caplog):
    caplog.set_level(logging.INFO)
    sign_in(client, "hanako", "Secret-Guess-123")
    sign_in(client, "hanako", PASSWORD)
    text = caplog.text
    assert "failed sign-in for 'hanako' from 203.0.113.10" in text
    assert f"sign-in: user #{editor.pk} from 203.0.113.10" in text
    assert "Secret-Guess-123" not in text and PASSWORD not in text


def test_a_superuser_sees_the_lockouts_and_unlocks(client, editor, superuser, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "hanako", "wrong")
    client.force_login(superuser)
    page = client.get("/admin/accounts/lockouts/")
    assert page.status_code == 200
    attempt = AccessAttempt.objects.get(username="hanako")
    row = re.search(rf'<tr data-attempt="{attempt.pk}">(.*?)</tr>', page.content.decode(), re.S)
    assert "hanako" in row.group(1) and "203.0.113.10" in row.group(1)

    assert client.get(f"/admin/accounts/lockouts/{attempt.pk}/unlock/").status_code == 405
    client.post(f"/admin/accounts/lockouts/{attempt.pk}/unlock/")
    client.logout()
    assert sign_in(client, "hanako", PASSWORD).status_code == 302


def test_only_superusers_reach_the_unlock_pages(client, editor):
    authenticator_for(editor)
    client.force_login(editor)
    client.post("/admin/2fa/verify/", {"code": code_of(TOTPDevice.objects.get(user=editor))})
    # Wagtail answers a permission denied with its dashboard and a message.
    for path in ("/admin/accounts/lockouts/", "/admin/accounts/second-factors/"):
        assert client.get(path)["Location"] == "/admin/"
    client.post(f"/admin/accounts/second-factors/{editor.pk}/reset/")
    assert TOTPDevice.objects.filter(user=editor).exists()


# -- the second factor ---------------------------------------------------------------


def test_setting_up_the_authenticator_and_recovery_codes(client, editor, two_factor_required):
    client.force_login(editor)
    page = client.get("/admin/2fa/setup/?next=/admin/pages/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code, inline
    secret = re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", html).group(1)
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert secret.replace(" ", "") == b32encode(device.bin_key).decode()

    assert client.get("/admin/pages/").status_code == 302  # not before a code confirms it

    done = client.post("/admin/2fa/setup/", {"code": code_of(device), "next": "/admin/pages/"})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/pages/").status_code == 200

    # Next sign-in: a recovery code works once.
    client.logout()
    client.force_login(editor)
    assert client.post("/admin/2fa/verify/", {"code": codes[0]}).status_code == 302
    assert client.get("/admin/pages/").status_code == 200
    client.logout()
    client.force_login(editor)
    client.post("/admin/2fa/verify/", {"code": codes[0]})
    assert client.get("/admin/pages/").status_code == 302


def test_a_password_alone_cannot_replace_an_existing_authenticator(
    client, editor, two_factor_required
):
    authenticator_for(editor)
    client.force_login(editor)  # the attacker knows the password
    response = client.get("/admin/2fa/setup/")
    assert response["Location"].startswith("/admin/2fa/verify/")
    assert client.post("/admin/2fa/setup/", {"code": "123456"})["Location"].startswith(
        "/admin/2fa/verify/"
    )
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_a_wrong_code_at_set_up_confirms_nothing(client, editor, two_factor_required):
    client.force_login(editor)
    client.get("/admin/2fa/setup/")
    with translation.override("en"):
        wrong = client.post("/admin/2fa/setup/", {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()
    assert client.get("/admin/pages/")["Location"].startswith("/admin/2fa/setup/")


def test_wrong_codes_are_throttled(client, editor, two_factor_required):
    device = authenticator_for(editor)
    client.force_login(editor)
    with translation.override("en"):
        client.post("/admin/2fa/verify/", {"code": "000000"})
        # Right code straight after a wrong one: refused until the delay passes.
        throttled = client.post("/admin/2fa/verify/", {"code": code_of(device)})
    assert "Too many wrong codes" in throttled.content.decode()
    assert client.get("/admin/pages/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, editor, two_factor_required):
    device = authenticator_for(editor)
    old = StaticDevice.objects.create(user=editor, name="codes")
    old.token_set.create(token="oldcode1")
    client.force_login(editor)
    client.post("/admin/2fa/verify/", {"code": code_of(device)})
    page = client.post("/admin/2fa/")
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page.content.decode())
    assert len(new) == 10
    assert client.get("/admin/pages/").status_code == 200  # still signed in
    client.logout()
    client.force_login(editor)
    client.post("/admin/2fa/verify/", {"code": new[0]})
    assert client.get("/admin/pages/").status_code == 200
    client.logout()
    client.force_login(editor)
    client.post("/admin/2fa/verify/", {"code": "oldcode1"})
    assert client.get("/admin/pages/").status_code == 302


def test_the_account_page_links_to_the_users_second_factor(client, editor):
    client.force_login(editor)
    assert 'href="/admin/2fa/"' in client.get("/admin/account/").content.decode()
    assert client.get("/admin/2fa/").status_code == 200


def test_a_superuser_resets_a_lost_phone(client, editor, superuser, two_factor_required):
    authenticator_for(editor)
    admin_device = authenticator_for(superuser)
    client.force_login(superuser)
    client.post("/admin/2fa/verify/", {"code": code_of(admin_device)})
    assert (
        f'data-user="{editor.pk}"' in client.get("/admin/accounts/second-factors/").content.decode()
    )
    client.post(f"/admin/accounts/second-factors/{editor.pk}/reset/")
    assert not TOTPDevice.objects.filter(user=editor).exists()

    client.logout()
    client.force_login(editor)
    assert client.get("/admin/")["Location"].startswith("/admin/2fa/setup/")


def test_the_settings_menu_offers_the_unlock_pages_to_superusers(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert "/admin/accounts/lockouts/" in html and "/admin/accounts/second-factors/" in html


# -- password reset ------------------------------------------------------------------


@pytest.fixture
def queued_tasks():
    """Tasks as they start: name and arguments (eager in the test settings)."""
    seen = []

    def record(sender=None, args=None, kwargs=None, **_):
        seen.append((sender.name, args, kwargs))

    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


def reset(client, address, captured):
    with captured(execute=True) as callbacks:
        response = client.post("/admin/password_reset/", {"email": address})
    return response, len(callbacks)


def test_password_reset_is_the_same_for_known_and_unknown_addresses(
    client, editor, queued_tasks, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    known, known_work = reset(
        client, "Hanako@City.Musashino.example", django_capture_on_commit_callbacks
    )
    assert len(mail.outbox) == 1
    unknown, unknown_work = reset(
        client, "nobody@city.musashino.example", django_capture_on_commit_callbacks
    )
    assert len(mail.outbox) == 1

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/admin/password_reset/done/"
    assert known_work == unknown_work == 1
    assert [name for name, _, _ in queued_tasks] == ["cms.accounts.tasks.send_password_reset"] * 2
    # No address in the task's arguments or in the logs.
    arguments = repr(queued_tasks)
    assert "hanako" not in arguments.lower() and "nobody" not in arguments
    assert "hanako@" not in caplog.text.lower() and "nobody@" not in caplog.text

    message = mail.outbox[0]
    assert message.to == ["hanako@city.musashino.example"]
    link = re.search(r"http://testserver(/admin/password_reset/confirm/\S+/)", message.body).group(
        1
    )
    assert client.get(link, follow=True).status_code == 200


def test_password_reset_is_throttled_per_mailbox(
    client, editor, django_capture_on_commit_callbacks
):
    for number in range(5):
        response, _ = reset(
            client, f"hanako+{number}@city.musashino.example", django_capture_on_commit_callbacks
        )
        assert response.status_code == 302
    response, work = reset(
        client, "hanako@city.musashino.example", django_capture_on_commit_callbacks
    )
    assert response.status_code == 429
    assert work == 0


def test_password_reset_is_throttled_per_client(client, db, django_capture_on_commit_callbacks):
    for number in range(20):
        reset(client, f"person{number}@example.jp", django_capture_on_commit_callbacks)
    response, work = reset(client, "someone-else@example.jp", django_capture_on_commit_callbacks)
    assert response.status_code == 429 and work == 0


def test_no_mail_for_inactive_users_or_users_without_a_password(
    client, editor, django_user_model, django_capture_on_commit_callbacks
):
    django_user_model.objects.create_user(
        "old", email="old@city.musashino.example", is_active=False
    )
    no_password = django_user_model.objects.create_user("sso", email="sso@city.musashino.example")
    no_password.set_unusable_password()
    no_password.save()
    for address in ("old@city.musashino.example", "sso@city.musashino.example"):
        reset(client, address, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_signing_in_to_ones_own_account_does_not_reset_an_addresss_count(client, editor, settings):
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, f"guess{number}", "wrong")
    assert sign_in(client, "hanako", PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "guess-last", "wrong").status_code == 429


def test_the_django_admin_login_shares_the_lockout(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "hanako", "wrong")
    response = client.post(
        "/django-admin/login/",
        {"username": "hanako", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.9",
    )
    assert response.status_code == 429


def test_unlocks_are_logged_with_who_unlocked(client, editor, superuser, settings, caplog):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "hanako", "wrong")
    attempt = AccessAttempt.objects.get(username="hanako")
    client.force_login(superuser)
    caplog.set_level(logging.INFO, logger="cms.accounts")
    client.post(f"/admin/accounts/lockouts/{attempt.pk}/unlock/")
    assert f"unlocked 'hanako' and 203.0.113.10: by user #{superuser.pk}" in caplog.text


def test_a_staff_password_needs_twelve_characters(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("kichijoji7")  # 10 characters
    validate_password("kichijoji-inokashira")
