"""Settings shared by every environment.

Safe for production as it stands: DEBUG is off, there is no secret here, and
every component that differs between a laptop and the city's servers is
chosen by an environment variable (see README, "Configuration").
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env(name, default=None):
    """Return an environment variable, treating an empty value as unset."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = env(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "home",
    "search",
    "matching",
    "cms.core",
    "cms.infrastructure",
    "cms.activities",
    "cms.groups",
    "cms.newsletters",
    "cms.facilities",
    "cms.plan",
    "cms.opportunities",
    "cms.accessibility",
    "cms.applications",
    "cms.demo",
    "cms.accounts",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    # Administrator accounts (cms/accounts): lockout and the second factor.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # /admin/ answers 404 outside ADMIN_ALLOWED_NETWORKS (cms/accounts).
    "cms.accounts.middleware.AdminNetworkMiddleware",
    # Static files from the app server: compressed, hashed, cached forever.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Admin sessions: idle and absolute timeouts, the second factor (cms/accounts).
    "cms.accounts.middleware.AdminSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # The search engine down: a 503 that says so instead of a 500.
    "search.middleware.SearchEngineUnavailableMiddleware",
    # Last, as django-axes asks: turns a lockout into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# Database: SQLite next to the code unless DATABASE_URL names another.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded set-up serves several requests at once (runserver's
    # threads; Wagtail's autosave and editing-session pings while an editor
    # publishes). SQLite allows one writer: each transaction asks for the
    # write lock when it begins (IMMEDIATE) and waits up to 20 s for it,
    # instead of failing with "database is locked" when it first writes;
    # with WAL, readers go on reading during a write.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, otherwise this process's memory.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis: with Redis down the site keeps serving (every
            # cache read is a miss, writes are dropped, each logged) instead
            # of answering 500; /healthz/ reports the cache as failing.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "musashino",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public forms (cms/infrastructure/abuse.py): accepted submissions per client address
# and per e-mail address, in the shared cache. With the cache down the forms
# stay open (fail open): a resident is never refused because Redis is.
PUBLIC_FORM_RATES = {"per_client": "20/h", "per_address": "5/h"}
RATELIMIT_FAIL_OPEN = True
# Behind a proxy every request comes from the proxy: name the header it sets
# to the resident's address (compose's nginx: HTTP_X_REAL_IP).
CLIENT_IP_HEADER = env("DJANGO_CLIENT_IP_HEADER")

# -- Administrator accounts (cms/accounts) ---------------------------------------
# Lockout (django-axes): ADMIN_LOGIN_FAILURE_LIMIT wrong passwords for one
# username, or from one client address, lock that username or address out for
# ADMIN_LOCKOUT_MINUTES; superusers unlock under Settings (or `manage.py
# axes_reset_username` / `axes_reset_ip`). Addresses as the public forms see
# them (DJANGO_CLIENT_IP_HEADER behind the proxy).
AUTHENTICATION_BACKENDS = [
    # First: a locked-out username or address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("ADMIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("ADMIN_LOCKOUT_MINUTES", "60")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
# abuse.client_ip, through a guard for requests without an address.
AXES_CLIENT_IP_CALLABLE = "cms.accounts.middleware.client_address"
# A 429 page that says for how long, and nothing about the account.
AXES_LOCKOUT_CALLABLE = "cms.accounts.views.locked_out"
# Failures are forgotten ADMIN_LOCKOUT_MINUTES after the last one, not at a
# success: one's own account must not reset the count of an address that is
# guessing other people's passwords.
AXES_RESET_ON_SUCCESS = False
# The second factor (django-otp: TOTP, recovery codes) for everyone who can
# use the admin; on in production (production.py), off here so `make run`'s
# demo admin signs in with its password alone. A user who set up a device is
# always asked for a code.
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "武蔵野市 市民活動ポータル"
# Wrong codes wait 1, 2, 4, 8... seconds (django-otp's throttling, per device).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
ADMIN_RECOVERY_CODES = 10
# Admin sessions end after this long without a request from the editor
# (Wagtail's editing-session pings do not count), and this long after sign-in
# whatever happens; the cookie lasts no longer.
ADMIN_IDLE_TIMEOUT_MINUTES = int(env("ADMIN_IDLE_TIMEOUT_MINUTES", "30"))
ADMIN_SESSION_HOURS = int(env("ADMIN_SESSION_HOURS", "8"))
SESSION_COOKIE_AGE = ADMIN_SESSION_HOURS * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Password reset is counted per client and per mailbox as the public forms
# are (PUBLIC_FORM_RATES above); the mail always goes out from a task.


def env_networks(name):
    """A comma-separated list of networks (CIDRs) from the environment as
    ip_network objects; a bad entry stops start-up with a clear message."""
    networks = []
    for value in env_list(name):
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {value!r} is not a network such as 192.0.2.0/24 or 2001:db8::/32"
            ) from None
    return networks


# Only these networks reach /admin/ (404 elsewhere); empty: no restriction.
ADMIN_ALLOWED_NETWORKS = env_networks("ADMIN_ALLOWED_NETWORKS")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Staff passwords guard residents' data: 12 characters at least (with a
    # second factor on top in production).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Japanese first: the public site is Japanese whatever the browser asks for
# (no LocaleMiddleware); admin users may choose English in their profile.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", BASE_DIR / "static_collected"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Content-Security-Policy for the public site: everything from this origin,
# no inline script or style, no framing. The Wagtail admin is left out (its
# own scripts rely on inline code); the browser tests fail on any violation.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", "")
# STARTTLS (port 587) or implicit TLS (port 465); at most one of them.
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
# A mail server that hangs must not hold a web request or a worker for long.
EMAIL_TIMEOUT = int(env("DJANGO_EMAIL_TIMEOUT", "10"))
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "noreply@civic.musashino.example")
# Who hears about page feedback that carries a comment.
FEEDBACK_NOTIFY_EMAILS = env_list("FEEDBACK_NOTIFY_EMAILS")

# Residents' personal data (matching/privacy.py): profiles untouched this
# many days are deleted with their suggestions; the access log is kept longer.
MATCHING_RETENTION_DAYS = int(env("MATCHING_RETENTION_DAYS", "1095"))
PERSONAL_DATA_ACCESS_LOG_DAYS = int(env("PERSONAL_DATA_ACCESS_LOG_DAYS", "1825"))

# -- Residents' links (issue 12, "tokens"): a my-data link (single use, 24
# hours) opens a session this many minutes long (matching/my_data_views.py).
MY_DATA_SESSION_MINUTES = int(env("MY_DATA_SESSION_MINUTES", "30"))
# Applications for activities (cms/applications): the reminder goes this many
# days before the activity; applicants' names and contact details are removed
# this many days after it (only the counts stay, as Helsinki's LinkedEvents
# does after 30 days); a web application not confirmed by e-mail within
# APPLICATION_CONFIRM_HOURS holds no seat and is deleted.
APPLICATION_REMINDER_DAYS = int(env("APPLICATION_REMINDER_DAYS", "2"))
APPLICATION_RETENTION_DAYS = int(env("APPLICATION_RETENTION_DAYS", "30"))
APPLICATION_CONFIRM_HOURS = int(env("APPLICATION_CONFIRM_HOURS", "24"))

# Celery: Redis (or any broker URL) when configured; without a broker the
# tasks run inline so the embedded set-up needs no extra process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
if CELERY_TASK_ALWAYS_EAGER:
    # Never contacted while tasks run inline; named so kombu does not warn.
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# Nothing reads task results (the tasks write to the database); not asking
# for them also means a task can be sent without a live result store.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that does not answer fails a send within seconds (the work then
# runs inline: cms/infrastructure/queue.py) instead of holding the request.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
# Worker and beat log through LOGGING above (JSON lines in production).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# celery beat: new suggestions for registered residents every morning.
CELERY_BEAT_SCHEDULE = {
    "refresh-suggestions": {
        "task": "matching.tasks.refresh_all_suggestions",
        "schedule": 24 * 60 * 60,
    },
    "purge-unconfirmed-registrations": {
        "task": "matching.tasks.purge_unconfirmed_registrations",
        "schedule": 24 * 60 * 60,
    },
    "purge-expired-personal-data": {
        "task": "matching.tasks.purge_expired_personal_data",
        "schedule": 24 * 60 * 60,
    },
    # Opportunities whose end date passed leave the matching index (no page
    # is published when a date passes).
    "index-ended-opportunities": {
        "task": "matching.tasks.index_ended_opportunities",
        "schedule": 24 * 60 * 60,
    },
    # Work kept in the database while Redis (and the inline run) failed.
    "requeue-pending-tasks": {
        "task": "cms.infrastructure.tasks.requeue_pending_tasks",
        "schedule": 5 * 60,
    },
    # Stored search queries past SEARCH_QUERY_RETENTION_DAYS (search/query_log.py).
    "purge-search-queries": {
        "task": "search.tasks.purge_search_queries",
        "schedule": 24 * 60 * 60,
    },
    # Applications: reminders APPLICATION_REMINDER_DAYS before each activity
    # (hourly, so an activity at 10:00 is reminded of about two days before),
    # and applicants' personal data removed APPLICATION_RETENTION_DAYS after.
    "send-application-reminders": {
        "task": "cms.applications.tasks.send_reminders",
        "schedule": 60 * 60,
    },
    "anonymise-past-applications": {
        "task": "cms.applications.tasks.anonymise_past_applications",
        "schedule": 24 * 60 * 60,
    },
    # The weekly digest for residents who asked for it (matching/digest.py),
    # Monday mornings Japan time.
    "send-weekly-digests": {
        "task": "matching.tasks.send_weekly_digests",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
}

# Wagtail's background tasks (search and reference index updates) go through
# Celery when a broker is configured, inline otherwise.
TASKS = {"default": {"BACKEND": "cms.infrastructure.task_backend.CeleryBackend"}}

# Wagtail
WAGTAIL_SITE_NAME = "武蔵野市 市民活動ポータル"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"


def search_backends(opensearch_url=None, elasticsearch_url=None):
    """Wagtail search backends for this environment.

    Wagtail's database backend (SQLite FTS5 or PostgreSQL) by default;
    OpenSearch when OPENSEARCH_URL is set, Elasticsearch 9 when
    ELASTICSEARCH_URL is, so the city can move search off the database when
    it outgrows one machine without a code change. The engines share one
    Japanese mapping (search.backends.engine); every backend analyses Japanese
    on the way in and on the way out. A URL may hold several nodes separated
    by commas, and user:password@ for an engine with authentication.
    """
    url = opensearch_url or elasticsearch_url
    if not url:
        return {"default": {"BACKEND": "search.backends.database"}}
    return {
        "default": {
            "BACKEND": (
                "search.backends.opensearch" if opensearch_url else "search.backends.elasticsearch9"
            ),
            "URLS": [part.strip() for part in url.split(",") if part.strip()],
            # Index names become e.g. musashino_wagtailcore_page (an alias:
            # update_index builds a new index and swaps it in, no downtime).
            "INDEX_PREFIX": env(
                "SEARCH_INDEX_PREFIX", env("ELASTICSEARCH_INDEX_PREFIX", "musashino_")
            ),
            "ATOMIC_REBUILD": True,
            "TIMEOUT": int(env("SEARCH_TIMEOUT", "5")),
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
        }
    }


# Page types replace Wagtail's title SearchField/AutocompleteField with the
# Japanese-analysed equivalents (search.index.page_search_fields); the check
# compares field objects, so it cannot see that. tests/search/test_index.py
# asserts that every other core Page field is still there.
SILENCED_SYSTEM_CHECKS = ["wagtailsearch.W001"]

OPENSEARCH_URL = env("OPENSEARCH_URL")
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL")
WAGTAILSEARCH_BACKENDS = search_backends(OPENSEARCH_URL, ELASTICSEARCH_URL)
# The matching engine's indices live beside site search's, with its prefix
# (matching.search_index: <prefix>matching_opportunities, _groups).
MATCHING_INDEX_PREFIX = WAGTAILSEARCH_BACKENDS["default"].get("INDEX_PREFIX", "musashino_")

# --- SEARCH_QUERIES: what site search keeps of visitors' queries (search/query_log.py) ---
# Stored queries (and who searched them, as daily-rotating digests) are
# deleted after this many days; Wagtail's own garbage collection of daily
# hits (searchpromotions_garbage_collect) keeps to the same period.
SEARCH_QUERY_RETENTION_DAYS = int(env("SEARCH_QUERY_RETENTION_DAYS", "90"))
WAGTAILSEARCH_HITS_MAX_AGE = SEARCH_QUERY_RETENTION_DAYS
# よく検索されている言葉 lists a query only when this many different clients
# searched it (and found pages) within the retention period.
SEARCH_POPULAR_MIN_CLIENTS = int(env("SEARCH_POPULAR_MIN_CLIENTS", "3"))
# Longer queries are not stored (pasted paragraphs, messages to other visitors).
SEARCH_QUERY_MAX_LENGTH = int(env("SEARCH_QUERY_MAX_LENGTH", "50"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # One JSON object a line, for the city's log collector (DJANGO_LOG_FORMAT=json).
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    # No task arguments, addresses or link tokens in the logs (issue 12).
    "filters": {"personal_data": {"()": "cms.infrastructure.redaction.RedactPersonalData"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("DJANGO_LOG_FORMAT", "plain"),
            "filters": ["personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "WARNING"},
        # Wagtail's own background tasks log every run at INFO.
        "django_tasks": {"level": "WARNING"},
        # Its DEBUG records dump whole template contexts: residents' data too.
        "django.template": {"level": "INFO"},
        # runserver's request lines (link paths with tokens) through the filter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# -- /healthz/ (cms/infrastructure/health.py) -------------------------------------
# Each check's details (what failed, error messages naming internal hosts) go
# only to loopback (the container healthcheck) and to these networks, e.g. the
# city's monitoring host: HEALTHZ_ALLOWED_NETWORKS, comma-separated CIDRs.
# Everyone else gets {"status": "ok"} or {"status": "error"}, with the same
# 200 or 503. Addresses as the public forms see them (DJANGO_CLIENT_IP_HEADER).
HEALTHZ_ALLOWED_NETWORKS = env_networks("HEALTHZ_ALLOWED_NETWORKS")

WAGTAIL_CONTENT_LANGUAGES = [("ja", _("Japanese"))]


def require(name, value):
    """Fail loudly at start-up when a production value is missing."""
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value
