"""Settings for the benchmarks: the project's, with both search backends side by side."""

import tempfile

from cms.settings.base import *  # noqa: F403

SECRET_KEY = "bench-only-not-secret"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="musashino-bench-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILSEARCH_BACKENDS = {
    # Ours: Japanese analysis on the way in and out.
    "default": {"BACKEND": "search.backends.database"},
    # Wagtail's own database backend, as a project would have it out of the box.
    "stock": {"BACKEND": "wagtail.search.backends.database"},
}
# With a search engine (make opensearch), our engine backend beside them.
if env("OPENSEARCH_URL"):  # noqa: F405
    WAGTAILSEARCH_BACKENDS["engine"] = {
        **search_backends(env("OPENSEARCH_URL"))["default"],  # noqa: F405
        "INDEX_PREFIX": "musashino_bench_",
    }
# Pages are generated in bulk and indexed explicitly, once per backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
CELERY_TASK_ALWAYS_EAGER = True
LOGGING = {"version": 1, "disable_existing_loggers": True}
