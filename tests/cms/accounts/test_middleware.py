"""The admin's guards: allowed networks, idle and absolute timeouts, the second factor."""

import ipaddress
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cms.accounts.middleware import AUTHENTICATED_AT, LAST_ACTIVITY
from cms.settings.base import env_networks

from .conftest import authenticator_for, code_of

ROOT = Path(__file__).resolve().parents[3]


# -- allowed networks -----------------------------------------------------------


@pytest.fixture
def office_only(settings):
    settings.ADMIN_ALLOWED_NETWORKS = [
        ipaddress.ip_network("192.0.2.0/24"),
        ipaddress.ip_network("2001:db8:10::/48"),
    ]


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("192.0.2.44", 200),
        ("198.51.100.7", 404),
        ("2001:db8:10::5", 200),
        ("2001:db8:11::5", 404),
    ],
)
def test_the_admin_exists_only_for_the_allowed_networks(client, db, office_only, address, status):
    assert client.get("/admin/login/", REMOTE_ADDR=address).status_code == status
    assert client.get("/django-admin/login/", REMOTE_ADDR=address).status_code == status
    # The public site does not care.
    assert client.get("/", REMOTE_ADDR=address).status_code == 200


def test_outside_the_networks_the_admin_looks_like_any_missing_page(client, db, office_only):
    outside = client.get("/admin/login/", REMOTE_ADDR="198.51.100.7")
    missing = client.get("/no-such-page/", REMOTE_ADDR="198.51.100.7")
    assert outside.status_code == missing.status_code == 404
    assert b"wagtail" not in outside.content.lower()


def test_behind_the_proxy_the_networks_apply_to_the_visitor(client, db, office_only, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    proxy = {"REMOTE_ADDR": "192.0.2.1"}  # the proxy itself sits in the office range
    assert client.get("/admin/login/", HTTP_X_REAL_IP="198.51.100.7", **proxy).status_code == 404
    assert client.get("/admin/login/", HTTP_X_REAL_IP="192.0.2.44", **proxy).status_code == 200


def test_no_networks_configured_means_no_restriction(client, db):
    assert client.get("/admin/login/", REMOTE_ADDR="198.51.100.7").status_code == 200


@pytest.mark.parametrize("value", ["office", "192.0.2.0/33", "10.0.0.1/8, ::1/200"])
def test_a_bad_network_stops_the_site_at_start_up(value, monkeypatch):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"}
    if value == "office":  # one start-up is enough to show the message reaches the operator
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            env={**env, "ADMIN_ALLOWED_NETWORKS": f"192.0.2.0/24,{value}"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert "ImproperlyConfigured: ADMIN_ALLOWED_NETWORKS: 'office'" in result.stderr
    else:
        from django.core.exceptions import ImproperlyConfigured

        monkeypatch.setenv("ADMIN_ALLOWED_NETWORKS", value)
        with pytest.raises(ImproperlyConfigured, match="ADMIN_ALLOWED_NETWORKS"):
            env_networks("ADMIN_ALLOWED_NETWORKS")


# -- idle and absolute timeouts ------------------------------------------------


def _set_session(client, **values):
    session = client.session
    session.update(values)
    session.save()


def test_an_idle_admin_session_is_signed_out_with_a_message(client, editor, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
    _set_session(client, **{LAST_ACTIVITY: time.time() - 31 * 60})

    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/admin/pages/")
    login = client.get(response["Location"])
    assert "not used for 30 minutes" in login.content.decode()
    # Signed out: the admin asks for the password again.
    assert client.get("/admin/").status_code == 302


def test_a_session_in_use_stays(client, editor):
    client.force_login(editor)
    _set_session(client, **{LAST_ACTIVITY: time.time() - 29 * 60})
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_editing_session_pings_do_not_keep_a_session_alive(client, editor):
    client.force_login(editor)
    idle_since = time.time() - 20 * 60
    _set_session(client, **{LAST_ACTIVITY: idle_since})
    client.post("/admin/editing-sessions/ping/wagtailcore/page/2/0/")
    assert client.session[LAST_ACTIVITY] == idle_since
    client.get("/admin/")
    assert client.session[LAST_ACTIVITY] > idle_since


def test_a_session_ends_hours_after_sign_in_however_busy(client, editor, settings):
    client.force_login(editor)
    _set_session(
        client,
        **{AUTHENTICATED_AT: time.time() - (settings.ADMIN_SESSION_HOURS * 3600 + 60)},
        **{LAST_ACTIVITY: time.time()},
    )
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_the_session_cookie_lasts_no_longer_than_the_absolute_timeout(client, editor, settings):
    assert settings.SESSION_COOKIE_AGE == settings.ADMIN_SESSION_HOURS * 3600 <= 8 * 3600
    response = client.post(
        "/admin/login/",
        {"username": "hanako", "password": "correct-horse-battery-staple", "remember": "on"},
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


# -- the second factor -----------------------------------------------------------


def test_without_2fa_required_the_password_is_enough(client, editor):
    response = client.post(
        "/admin/login/", {"username": "hanako", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_admin_without_a_device_is_sent_to_set_one_up(client, editor, two_factor_required):
    client.force_login(editor)
    for path in ("/admin/", "/admin/pages/", "/admin/snippets/", "/admin/account/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/2fa/setup/?next=")


def test_an_admin_with_a_device_is_asked_for_the_code(client, editor, two_factor_required):
    device = authenticator_for(editor)
    client.force_login(editor)
    response = client.get("/admin/pages/")
    assert response["Location"] == "/admin/2fa/verify/?next=%2Fadmin%2Fpages%2F"
    # Background requests and posts get no further either.
    assert client.post("/admin/editing-sessions/ping/wagtailcore/page/2/0/").status_code == 302

    response = client.post("/admin/2fa/verify/", {"code": code_of(device), "next": "/admin/pages/"})
    assert response["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


def test_pages_needed_before_the_code_stay_reachable(client, editor, two_factor_required):
    authenticator_for(editor)
    client.force_login(editor)
    assert client.get("/admin/2fa/verify/").status_code == 200
    assert client.get("/admin/jsi18n/").status_code == 200
    assert client.get("/admin/password_reset/").status_code == 200
    assert client.post("/admin/logout/").status_code == 302
    assert client.get("/admin/login/").status_code == 200


def test_a_device_set_up_voluntarily_is_always_asked_for(client, editor):
    authenticator_for(editor)  # ADMIN_REQUIRE_2FA is off in the test settings
    client.force_login(editor)
    assert client.get("/admin/")["Location"].startswith("/admin/2fa/verify/")


def test_the_public_site_asks_nothing(client, editor, two_factor_required):
    client.force_login(editor)
    assert client.get("/").status_code == 200
