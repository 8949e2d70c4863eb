"""Production readiness: security headers and the Content-Security-Policy,
`check --deploy`, static files served compressed (the health endpoint:
test_health.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "DJANGO_SECRET_KEY": "x7!" + "k" * 60 + "-long-random-production-like-secret",
    "DJANGO_ALLOWED_HOSTS": "civic.city.musashino.example",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://civic.city.musashino.example",
}


def test_public_pages_carry_a_content_security_policy(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_admin_keeps_its_inline_scripts_working(admin_client_ja):
    response = admin_client_ja.get("/admin/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


def _production(*args, extra_env=None):
    env = {**os.environ, **PRODUCTION_ENV, **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _production("check", extra_env={"DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_static_files_are_hashed_and_compressed(tmp_path):
    result = _production(
        "collectstatic", "--noinput", extra_env={"DJANGO_STATIC_ROOT": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    css = list((tmp_path / "css").glob("site.*.css"))
    assert css, "site.css is stored under a content hash (cached forever)"
    assert Path(f"{css[0]}.gz").exists(), "and pre-compressed for WhiteNoise"


def test_production_requires_a_second_factor_for_the_admin_by_default():
    show = ("shell", "-c", "from django.conf import settings; print(settings.ADMIN_REQUIRE_2FA)")
    assert _production(*show).stdout.splitlines()[-1] == "True"
    trial = _production(*show, extra_env={"ADMIN_REQUIRE_2FA": "0"})
    assert trial.stdout.splitlines()[-1] == "False"
