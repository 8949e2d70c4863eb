"""Test settings: fast and self-contained, services only when env names them."""

from .base import *  # noqa: F403
from .base import env, search_backends

SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The worker started by the service tests writes e-mail to files they read.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
FEEDBACK_NOTIFY_EMAILS = ["katsudou@city.musashino.example"]
WAGTAILADMIN_BASE_URL = "http://testserver"
# Tests that need a real broker and worker opt in (tests/services); the rest
# run tasks inline even when CELERY_BROKER_URL is set for the services run.
CELERY_TASK_ALWAYS_EAGER = env("TEST_CELERY_EAGER", "1") == "1"
LOGGING = {"version": 1, "disable_existing_loggers": False}
# WhiteNoise serves from the apps' static folders (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing is collected for tests
# The suite searches the database; tests of the engine path opt in with the
# URL the environment names (tests/conftest.py: require_search_engine), so
# OPENSEARCH_URL in the environment changes no other test. A Celery worker
# started by such a test is told to use the engine by TEST_SEARCH_ENGINE=1.
if env("TEST_SEARCH_ENGINE") != "1":
    OPENSEARCH_URL = ELASTICSEARCH_URL = None
    WAGTAILSEARCH_BACKENDS = search_backends()
# Wagtail's own search-backend suite (django-modelsearch's BackendTests, run
# against our backends by tests/search/conformance) indexes its test models.
# Their tables are created without the app's migrations, which depend on the
# stand-alone modelsearch app (Wagtail installs it as wagtail.search).
INSTALLED_APPS = [*INSTALLED_APPS, "modelsearch.test.testapp"]  # noqa: F405
MIGRATION_MODULES = {"searchtests": None}
