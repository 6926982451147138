"""Settings shared by every environment.

Everything that differs between a newcomer's laptop, CI and production is read
from the environment (django-environ's ``env``: ``env.bool``, ``env.list``, ``env.db``…): ``DATABASE_URL`` (SQLite under ``data/`` when unset),
``REDIS_URL`` (in-process cache and database sessions when unset), Stripe keys,
mail settings. Secrets never live here; ``production.py`` refuses to start
without them.
"""

import os
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403  Oscar's defaults, overridden below

from shop.order import status as order_status

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def secret(name):
    """A key or password exactly as set. django-environ reads a value starting with "$" as
    the name of another variable, and generated keys and passwords may start with one."""
    return os.environ.get(name, "")


SECRET_KEY = secret("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", cast=str.strip, default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", cast=str.strip, default=[])

# --- Applications ---------------------------------------------------------

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

THIRD_PARTY_APPS = [
    # Oscar: forked apps live in shop/ and catalogue/, the rest come as shipped.
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "shop.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "shop.shipping.apps.ShippingConfig",
    "catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "shop.partner.apps.PartnerConfig",
    "shop.basket.apps.BasketConfig",
    "shop.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "shop.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "shop.search.apps.SearchConfig",  # in Oscar's search app's place: no haystack
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "shop.dashboard.apps.DashboardConfig",
    "shop.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "shop.dashboard.orders.apps.OrdersDashboardConfig",
    "shop.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "shop.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
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
    # Login protection (issue 6): lockout after failures, one-time codes for staff.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The audit log (issue 20): read and written through shop/desk/audit.py only.
    "auditlog",
]

LOCAL_APPS = [
    "shop",
    "shop.core",
    "content",
    "fulfilment",
    "shop.desk",
    "shop.notices",
    "shop.waitlist",
    "shop.standing",
    "shop.institutions",
    "shop.figures",
]

INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shop.core.security.BrowserPolicyMiddleware",  # Permissions-Policy; personal pages private
    "shop.core.security.ContentSecurityPolicyMiddleware",  # before the page cache: fresh nonces
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shop.core.middleware.URLLanguageMiddleware",
    "shop.core.middleware.RefuseNulMiddleware",  # a NUL would reach PostgreSQL as a 500
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "shop.desk.middleware.StaffOTPMiddleware",
    "shop.desk.audit.RequestActorMiddleware",  # names the acting user in the audit log
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shop.basket.middleware.BasketMiddleware",  # Oscar's, skipping offers while there are none
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so it sees the resolved view; see shop/speed/page_cache.py for what it caches.
    "shop.core.middleware.PageCacheMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.checkout.context_processors.checkout",
                # Not Oscar's notifications processor: it counts the unread notifications on
                # every page a signed-in buyer sees, for a badge only Oscar's own account
                # menu (partials/nav_accounts.html) shows, and the shop's header does not.
                "oscar.core.context_processors.metadata",
                "content.context_processors.site_chrome",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------

# SQLite under DATA_DIR when DATABASE_URL is unset.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameters let psycopg prepare the queries a connection repeats (every
    # checkout asks the same few dozen), so PostgreSQL plans each once per connection
    # instead of on every request. Turn off behind a transaction-mode pgbouncer.
    if env.bool("DB_SERVER_SIDE_BINDING", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=2
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while the demo loader writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"


def redis_cache(url):
    """The cache on the Redis at ``url``. A Redis that is down or hung costs a request at
    most one short timeout: calls fail after ``REDIS_SOCKET_TIMEOUT`` (0.25 s), the first
    failure opens a per-process breaker that skips Redis for ``REDIS_BREAKER_SECONDS``
    (shop/core/redis_breaker.py), and failures read as cache misses (``IGNORE_EXCEPTIONS``)."""
    timeout = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "nongzhu",
        "OPTIONS": {
            "CLIENT_CLASS": "shop.core.redis_breaker.BreakerClient",
            "SOCKET_CONNECT_TIMEOUT": timeout,
            "SOCKET_TIMEOUT": timeout,
            "BREAKER_SECONDS": env.float("REDIS_BREAKER_SECONDS", default=10.0),
            "IGNORE_EXCEPTIONS": env.bool("REDIS_IGNORE_EXCEPTIONS", default=True),
        },
    }


# Sessions with Redis: written to the database and kept in Redis for reading (cached_db),
# so a buyer's session survives Redis going away (issue 17: "Unable to create a new session
# key" after the order was placed). Without Redis they live in the database only.
REDIS_SESSION_ENGINE = "shop.core.sessions.cached_db"  # Django's, new keys without a lookup

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
    SESSION_ENGINE = REDIS_SESSION_ENGINE
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "shop.core.sessions.db"

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- Auth -----------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so a locked-out login never reaches the others
    "shop.desk.backends.EmailBackend",  # Oscar's, reading the desk rule with the user
    "django.contrib.auth.backends.ModelBackend",
    # Sessions signed in before 2026-12-08 name Oscar's own backend: listed so they stay
    # signed in; remove once they have expired (SESSION_COOKIE_AGE, two weeks).
    "oscar.apps.customer.auth_backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# URL names, reversed in the reader's language: an /en/ page sends to the English sign-in.
LOGIN_REDIRECT_URL = "customer:summary"
LOGIN_URL = "customer:login"

# Issue 6 (shop/desk): 5 failed logins lock that username from that address for 15 minutes;
# dashboard and CMS users' sessions last a working day; staff with a TOTP device enter a code.
# The audit log (shop/desk/audit.py): changes kept as JSON values (an empty value stays
# None), and no IP address or port of the person (the shop never kept them).
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = True

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "shop.desk.login_protection.username_from_request"
# Issue 17: the address is the browser's, read from X-Forwarded-For only when the request
# came through one of TRUSTED_PROXIES (none here; production trusts its nginx on loopback).
AXES_CLIENT_IP_CALLABLE = "shop.core.security.client_ip"
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", cast=str.strip, default=[])
AXES_LOCKOUT_TEMPLATE = "desk/locked_out.html"
DESK_STAFF_SESSION_AGE = 60 * 60 * 8
OTP_TOTP_ISSUER = "521助农小店"
# The desk's pages in the dashboard menu; Oscar hides the ones a user may not open.
OSCAR_DASHBOARD_NAVIGATION = [  # noqa: F405
    *OSCAR_DASHBOARD_NAVIGATION,  # noqa: F405
    {
        "label": _("工作台"),
        "icon": "fas fa-chart-bar",
        "children": [
            {"label": _("报表"), "url_name": "dashboard:desk-reports"},
            {"label": _("操作记录"), "url_name": "dashboard:desk-audit"},
            {"label": _("邀请队员"), "url_name": "dashboard:desk-invite"},
        ],
    },
    # The team pages (/shop/team/) are in the same menu: one back office, one access rule
    # (shop.dashboard.nav.access), drawn by templates/desk/chrome.html on both sides.
    {
        "label": _("工作队"),
        "icon": "fas fa-truck",
        "children": [
            {"label": _("配送批次"), "url_name": "fulfilment:run-list"},
            {"label": _("产品和库存"), "url_name": "fulfilment:product-list"},
            {"label": _("农户结算"), "url_name": "fulfilment:payouts"},
            {"label": _("自提点"), "url_name": "fulfilment:point-list"},
            {"label": _("送货范围"), "url_name": "fulfilment:zone-list"},
            {"label": _("装箱规格"), "url_name": "fulfilment:crates"},
            {"label": _("单位客户"), "url_name": "institutions:overview"},
        ],
    },
]
OSCAR_DASHBOARD_DEFAULT_ACCESS_FUNCTION = "shop.dashboard.nav.access"

# --- What browsers may load and do (issue 17, shop/core/security.py) -----------------
# The site serves its own scripts, styles and fonts (no CDN). Inline scripts carry the
# request's nonce (base.html's onbodyload); the page cache swaps in a fresh one per hit.
# Card payment leaves through a form posted here that redirects to Stripe Checkout.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, "https://checkout.stripe.com"],
        "frame-ancestors": [NONE],
    }
}
_SITE_DIRECTIVES = CONTENT_SECURITY_POLICY["DIRECTIVES"]
CONTENT_SECURITY_POLICY_AREAS = {
    # Oscar's dashboard: TinyMCE, select2 and the date picker write inline styles.
    ("/shop/dashboard/",): {
        **_SITE_DIRECTIVES,
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
    },
    # Wagtail's editor and Django's admin print inline scripts (InlinePanel, popups) that
    # carry no nonce: scripts and styles from this site only, inline ones allowed; the
    # page preview frames this site.
    ("/cms/", "/django-admin/"): {
        **_SITE_DIRECTIVES,
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
    },
}
# Where photos come from besides this site (production adds the bucket or its CDN).
MEDIA_ORIGINS = env.list("MEDIA_ORIGINS", cast=str.strip, default=[])
# Wagtail would fetch editors' avatars from Gravatar; the policy allows no such host.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The team's phones use the camera (product photos) and location (household pins).
PERMISSIONS_POLICY = {
    "camera": ["self"],
    "geolocation": ["self"],
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "bluetooth",
            "browsing-topics",
            "display-capture",
            "encrypted-media",
            "fullscreen",
            "gyroscope",
            "hid",
            "idle-detection",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "publickey-credentials-get",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
}
# Pages that show one person's things: never stored by a proxy or kept by the browser.
PRIVATE_PATH_PREFIXES = [
    "/shop/accounts/",
    "/shop/basket/",
    "/shop/checkout/",
    "/shop/payment/",
    "/shop/team/",
    "/shop/dashboard/",
    "/h/",  # a household's own page (fulfilment.household_page)
    "/cms/",
    "/django-admin/",
]

# --- Language, time, money -------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

OSCAR_DEFAULT_CURRENCY = "CNY"
# Babel writes CN¥ in English; buyers here only ever see yuan, so show ¥ everywhere.
OSCAR_CURRENCY_FORMAT = {"CNY": {"format": "¥#,##0.00", "currency_digits": False}}
PHONENUMBER_DEFAULT_REGION = "CN"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

# --- Files ----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Email ----------------------------------------------------------------

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="521助农小店 <shop@521nongzhu.cn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Links and text messages to buyers (shop/buyer, shop/notices) --------

# The site's public address: links in e-mails and text messages, QR codes and share cards
# point here (never at the Site object's example.com). ``load_demo`` copies its host into
# the Site object that Oscar's e-mails read.
SHOP_BASE_URL = (
    env.str("SHOP_BASE_URL", default="")
    or env.str("SITE_URL", default="")
    or "http://127.0.0.1:8000"
).rstrip("/")
# How text messages go out: "console" (logged, the default) or "tencent" (Tencent Cloud SMS
# through its official SDK). SMS_ENDPOINT overrides the API host (tests point it at a
# local server); the secrets come from the environment only.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_ENDPOINT = env.str("SMS_ENDPOINT", default="")
SMS_SECRET_ID = secret("SMS_SECRET_ID")
SMS_SECRET_KEY = secret("SMS_SECRET_KEY")
SMS_APP_ID = env.str("SMS_APP_ID", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="521助农小店")
SMS_REGION = env.str("SMS_REGION", default="ap-guangzhou")
# The provider's approved template id for each kind of notice (SMS_TEMPLATE_ORDER_CONFIRMED…);
# the console backend prints the shop's own text whatever the ids are.
SMS_TEMPLATES = {
    kind: env.str(f"SMS_TEMPLATE_{kind.upper()}", default=kind)
    for kind in (
        "order_confirmed",
        "on_its_way",
        "ready",
        "delivered",
        "shortfall",
        "payout_paid",
    )
}
# Guest order lookup: tries per IP and per order number in the window (seconds).
ORDER_LOOKUP_TRIES = env.int("ORDER_LOOKUP_TRIES", default=5)
ORDER_LOOKUP_WINDOW = env.int("ORDER_LOOKUP_WINDOW", default=600)

# --- Oscar ----------------------------------------------------------------

OSCAR_SHOP_NAME = _("521助农小店")
OSCAR_SHOP_TAGLINE = _("驻村工作队联盟的消费帮扶直营店")
OSCAR_HOMEPAGE = reverse_lazy("catalogue:index")
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_ALLOW_GUEST_CHECKOUT_WITH_ACCOUNT = True
OSCAR_SLUG_ALLOW_UNICODE = True
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "phone_number")
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_MAX_BASKET_QUANTITY_THRESHOLD = 500
# An institution's members may place bulk orders (shop.institutions.membership).
INSTITUTION_MAX_BASKET_QUANTITY = 5000


def gettext_noop(message):
    """Marks a string for makemessages and returns it unchanged. Django's own gettext_noop
    reads settings.USE_I18N, which inside a settings module would load these settings
    half-built (and let production start without its secrets)."""
    return message


# Statuses live in one module (``shop.order.status``), stored in Chinese; pages show them
# through ``shop.order.status.label`` and only ``shop.order.life`` moves them.
OSCAR_INITIAL_ORDER_STATUS = order_status.PLACED
OSCAR_INITIAL_LINE_STATUS = order_status.PLACED
OSCAR_ORDER_STATUS_PIPELINE = order_status.ORDER_PIPELINE
OSCAR_LINE_STATUS_PIPELINE = order_status.LINE_PIPELINE
OSCAR_HIDDEN_FEATURES = ["wishlists", "reviews"]
OSCAR_ACCOUNTS_REDIRECT_URL = "customer:order-list"  # "我的" opens the next pickup first
# Teams reach their households and the products spreadsheet from the catalogue menu.
for _section in OSCAR_DASHBOARD_NAVIGATION:  # noqa: F405
    if _section.get("icon") == "fas fa-sitemap":
        _section["children"] = [
            *_section["children"],
            {"label": _("农户"), "url_name": "dashboard:catalogue-household-list"},
            {"label": _("产品表格导入导出"), "url_name": "dashboard:catalogue-product-import"},
        ]

# --- Payments (shop/payment) -----------------------------------------------
# Stripe (card, Alipay, WeChat Pay) is on only when the secret and webhook keys are set;
# without them buyers pay on pickup and the dashboard says online payment is off.
STRIPE_SECRET_KEY = secret("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = secret("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = secret("STRIPE_WEBHOOK_SECRET")
# Dotted path of a callable returning a stripe.HTTPClient; None uses the library's own.
STRIPE_HTTP_CLIENT_FACTORY = None
# Where the Stripe API is reached; empty is Stripe's own address. The production-shaped
# stage (.ci/prod_stage.sh) points it at a stand-in on loopback.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# Stock held for a basket while its online payment is under way (see shop/partner/reservations.py).
STOCK_RESERVATION_MINUTES = 30

OSCAR_DYNAMIC_CLASS_LOADER = "shop.oscar_classes.fork_first_class_loader"
THUMBNAIL_KEY_PREFIX = "nongzhu-thumb"
OSCAR_THUMBNAILER = "shop.speed.thumbnails.KeptThumbnails"  # sorl, with addresses kept per process
# sorl builds its storage without arguments: this one is STORAGES["default"] with its OPTIONS.
THUMBNAIL_STORAGE = "shop.speed.thumbnails.MediaStorage"

# --- Wagtail --------------------------------------------------------------

WAGTAIL_SITE_NAME = "521助农小店"
WAGTAILADMIN_BASE_URL = SHOP_BASE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAIL_ALLOW_UNICODE_SLUGS = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"png": "webp", "jpeg": "webp"}
# Photos over this many pixels are refused at upload (shop.core.images); Pillow refuses to
# open anything over twice it, so no thumbnailer unpacks a decompression bomb.
IMAGE_MAX_PIXELS = 40_000_000
WAGTAILIMAGES_MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS
WAGTAILEMBEDS_FINDERS = []  # video links are stored, never fetched at page load

# Slugs of top-level Wagtail pages that would collide with the site's own URL prefixes.
RESERVED_ROOT_SLUGS = [
    "shop",
    "cms",
    "django-admin",
    "en",
    "zh-hans",
    "static",
    "media",
    "i18n",
    "posters",
    "p",
    "r",
]

# --- Operations (shop/speed/page_cache.py, shop/celery.py, shop/core/health.py) -------------

# Whole-page cache for anonymous buyers; pages record what they show and go stale with it
# (shop/speed/page_cache.py, shop/core/receivers.py).
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# While one request draws a page again, others wait at most this long for it.
PAGE_CACHE_REBUILD_WAIT = env.float("PAGE_CACHE_REBUILD_WAIT", default=2.0)

# Celery: the broker defaults to Redis; with neither, tasks run in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker dies mid-run (killed, out of memory) goes back on the queue at once
# instead of being acknowledged as done; every task is safe to run twice (each app's tasks.py).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With Redis as the broker, a task taken but not acknowledged (acks_late) is handed to
# another worker after this long; Celery's default is an hour. Longer than any task runs
# (solve_route is cut at 120 s; a report export takes seconds).
# A broker that is down or hung fails a request's publish in a few seconds, not minutes:
# connect within 1 s, an answer within 2 s (workers wait 1 s per BRPOP), one retry.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# `celery -A shop beat` runs these; with no broker, run the management commands from cron.
# Task names are stable: those once in shop/tasks.py keep "shop.tasks.…" (``name=`` on each
# task, now in its app's tasks.py), so queued messages and this schedule survive a deploy.
CELERY_BEAT_SCHEDULE = {
    "release-expired-reservations": {
        "task": "shop.tasks.release_expired_reservations",
        "schedule": 120.0,
    },
    "close-due-runs": {"task": "shop.tasks.close_due_runs", "schedule": 60.0},
    # Standing orders are placed in the last minutes before a run's cut-off (shop/standing).
    "place-standing-orders": {
        "task": "shop.standing.tasks.place_due_standing_orders",
        "schedule": 60.0,
    },
    "retry-pending-refunds": {"task": "shop.tasks.retry_pending_refunds", "schedule": 900.0},
    "clear-expired-sessions": {"task": "shop.tasks.clear_expired_sessions", "schedule": 86400.0},
    # Stories and news with a go-live or expiry time (Wagtail's publish_scheduled).
    "publish-scheduled-pages": {"task": "content.tasks.publish_scheduled", "schedule": 60.0},
}

# Read replica (shop/core/db_router.py): a buyer's reads stay on the primary this long after
# she wrote something, and a replica that failed is not asked again for this long.
READ_YOUR_WRITES_SECONDS = env.int("READ_YOUR_WRITES_SECONDS", default=10)
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=5)

# /metrics answers requests carrying this token (Authorization: Bearer ...); with no token,
# only a developer's own machine with DEBUG on (shop/core/health.py). Production needs the token.
METRICS_TOKEN = secret("METRICS_TOKEN").strip()

# Benchmarks only (bench/load_bench.py): a bare view and a SQL query count header.
BENCH_MODE = env.bool("BENCH_MODE", default=False)

# Share of a household's sales the alliance keeps for costs, in percent (fulfilment/payouts.py).
HOUSEHOLD_PAYOUT_FEE_PERCENT = env.float("HOUSEHOLD_PAYOUT_FEE_PERCENT", default=0.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
