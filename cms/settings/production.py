"""Production: everything secret or site-specific comes from the environment."""

from .base import *  # noqa: F403
from .base import DATABASES, env, env_bool, require

SECRET_KEY = require("DJANGO_SECRET_KEY", env("DJANGO_SECRET_KEY"))
DATABASES["default"]["CONN_MAX_AGE"] = int(env("DATABASE_CONN_MAX_AGE", "60"))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading binds every subdomain of the city's domain to HTTPS for
    # years; the city's IT department opts in (DJANGO_HSTS_PRELOAD=1), so
    # `check --deploy` does not warn about the default.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Administrators sign in with a second factor (TOTP or a recovery code), as
# NISC's guideline asks; ADMIN_REQUIRE_2FA=0 only for a trial.
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", True)

# Logs as JSON lines unless told otherwise.
LOGGING["handlers"]["console"]["formatter"] = env("DJANGO_LOG_FORMAT", "json")  # noqa: F405
