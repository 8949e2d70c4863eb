"""Local development: `make run`. SQLite, eager Celery, console e-mail."""

from .base import *  # noqa: F403
from .base import env, env_bool

# DJANGO_DEBUG=0 shows the site's own 404/500 pages (the browser tests use it).
DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-not-secret-musashino")
ALLOWED_HOSTS = ["*"]
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)

# Commands and the dev server print warnings and errors only; set
# DJANGO_LOG_LEVEL=INFO to see Wagtail's page log and Celery's task log.
LOGGING["root"]["level"] = env("DJANGO_LOG_LEVEL", "WARNING")  # noqa: F405

# WhiteNoise serves static files straight from the apps here (no collectstatic).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing is collected for `make run`
WHITENOISE_AUTOREFRESH = True
