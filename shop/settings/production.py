"""Production: every secret from the environment, fail fast when one is missing.

Passes ``manage.py check --deploy`` with no warnings when run behind TLS (the
proxy sets ``X-Forwarded-Proto``). App servers keep no state of their own:
sessions and cache live in Redis (``REDIS_URL``), media in object storage when
a bucket is named, background work goes to Celery workers through the broker.
docs/deploy.md shows the layouts for one machine and for many.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def bucket_origins(options):
    """Where the browser fetches photos from the bucket (for the Content-Security-Policy)."""
    if options["custom_domain"]:
        return [f"https://{options['custom_domain']}"]
    bucket = options["bucket_name"]
    if options["endpoint_url"]:
        endpoint = urlsplit(options["endpoint_url"])
        return [
            f"{endpoint.scheme}://{endpoint.netloc}",
            f"{endpoint.scheme}://{bucket}.{endpoint.netloc}",
        ]
    region = options["region_name"]
    hosts = [f"{bucket}.s3.amazonaws.com"] + (
        [f"{bucket}.s3.{region}.amazonaws.com"] if region else []
    )
    return [f"https://{host}" for host in hosts]


def require_env(name):
    value = secret(name).strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production.")
    return value


SECRET_KEY = require_env("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters.")
DEBUG = False
if not env.str("ALLOWED_HOSTS", default="").strip():
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma separated) for production.")

# Text messages through a real provider need its account (shop/notices/channels.py).
if SMS_BACKEND == "tencent":  # noqa: F405
    SMS_SECRET_ID = require_env("SMS_SECRET_ID")
    SMS_SECRET_KEY = require_env("SMS_SECRET_KEY")
    SMS_APP_ID = require_env("SMS_APP_ID")

# --- HTTPS behind the proxy -------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies whose X-Forwarded-For is believed (shop/core/security.py): nginx on the same
# machine by default; list the load balancer's addresses or network when there is one.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", cast=str.strip, default=["127.0.0.1", "::1"])
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
OSCAR_BASKET_COOKIE_SECURE = SESSION_COOKIE_SECURE
OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Database: persistent, health-checked connections; optional read replica --

DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind a transaction-mode pgbouncer (docs/deploy.md).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A primary or replica that does not answer fails a connection after this many seconds
    # instead of hanging the request (libpq's own default is to wait for ever).
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DB_CONNECT_TIMEOUT", default=3
    )
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DB_CONNECT_TIMEOUT", default=3
    )
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"][
        "DISABLE_SERVER_SIDE_CURSORS"
    ]
    DATABASE_ROUTERS = ["shop.core.db_router.PrimaryReplicaRouter"]
    # Read-your-writes and the checkout's primary-only reads (see shop/core/db_router.py).
    MIDDLEWARE = [*MIDDLEWARE[:2], "shop.core.db_router.PrimaryReadsMiddleware", *MIDDLEWARE[2:]]

# --- Cache and sessions -------------------------------------------------------
# base.py switches both to Redis when REDIS_URL is set. Without it each process
# has its own cache and sessions go to the database: fine for one worker, but
# docs/deploy.md asks for Redis as soon as there are two.

if REDIS_URL:
    # Short timeouts and the breaker come with base.redis_cache; sessions are cached_db.
    # Wagtail looks renditions up here first, so a page with ten photos costs no query for them.
    CACHES["renditions"] = dict(CACHES["default"], KEY_PREFIX="nongzhu-renditions", TIMEOUT=None)

# --- Files ------------------------------------------------------------------

STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(STATIC_ROOT)))
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365  # only for hashed names; others get 60 s
S3_BUCKET = env.str("AWS_STORAGE_BUCKET_NAME", default="") or env.str("S3_BUCKET", default="")
if S3_BUCKET:
    media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "location": env.str("AWS_LOCATION", default="media"),
            "file_overwrite": False,
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "default_acl": env.str("AWS_DEFAULT_ACL", default="") or None,
        },
    }
    # Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the instance role.
    MEDIA_ORIGINS = MEDIA_ORIGINS + bucket_origins(media_storage["OPTIONS"])
else:
    media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Mail goes out through the queue ------------------------------------------

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="shop.core.mail.QueuedEmailBackend")
QUEUED_EMAIL_BACKEND = env.str(
    "QUEUED_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 20
if env.str("EMAIL_FILE_PATH", default=""):  # with the file-based backend (the production stage)
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")

# --- Metrics and benchmarking -------------------------------------------------

if env.bool("PROMETHEUS", default=True):
    INSTALLED_APPS = INSTALLED_APPS + ["django_prometheus"]
    MIDDLEWARE = (
        ["django_prometheus.middleware.PrometheusBeforeMiddleware"]
        + MIDDLEWARE
        + ["django_prometheus.middleware.PrometheusAfterMiddleware"]
    )
if BENCH_MODE:
    # Benchmarks only: each response says how many SQL queries it ran.
    MIDDLEWARE = ["shop.core.middleware.QueryCountHeaderMiddleware"] + MIDDLEWARE

LOGGING["root"]["level"] = env.str("LOG_LEVEL", default="INFO")
