"""Fast, isolated settings for pytest (MD5 hashing, in-memory mail and cache)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if REDIS_URL:  # noqa: F405
    # pytest-xdist workers share one Redis server; give each worker its own database
    # so one worker's cache.clear() cannot flush another's sessions.
    _worker = int(env.str("PYTEST_XDIST_WORKER", default="gw0").removeprefix("gw") or 0)  # noqa: F405
    _base, _, _db = REDIS_URL.rstrip("/").rpartition("/")  # noqa: F405
    _db = int(_db) if _db.isdigit() else 15
    CACHES["default"]["LOCATION"] = f"{_base}/{max(_db - _worker, 0)}"  # noqa: F405
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = DATA_DIR / "test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {}  # noqa: F405

# Ops (issue 8): tasks run in-process; the page cache is switched on only by the
# tests that exercise it (tests/ops), so other tests see every change at once.
CELERY_TASK_ALWAYS_EAGER = True
PAGE_CACHE_ENABLED = False
