"""URL map.

Order matters: the shop (Oscar, under ``/shop/``), site search and the admin
areas are matched before Wagtail's catch-all, so no Wagtail page can shadow a
shop URL. Chinese is the default language and needs no prefix; English pages
live under ``/en/``.
"""

from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from catalogue import views as catalogue_views
from content import views as content_views
from fulfilment.views.household import household_statement, household_view
from fulfilment.views.receipt import receipt_view
from shop.buyer import account_urls
from shop.core import health
from shop.order import views as order_views
from shop.payment import views as payment_views
from shop.search.views import SiteSearchView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz/", health.liveness, name="healthz"),
    path("stripe/webhook/", payment_views.stripe_webhook, name="stripe-webhook"),
    path("readyz/", health.readiness, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("sitemap.xml", content_views.sitemap, name="sitemap"),
]

if settings.BENCH_MODE:
    urlpatterns.append(path("bench/bare/", health.bench_bare))

urlpatterns += i18n_patterns(
    # Oscar's order line address, without its two 500s (shop.order.views)
    path(
        "shop/accounts/orders/<str:order_number>/<int:line_id>/",
        order_views.OrderLineView.as_view(),
    ),
    path("shop/team/", include("fulfilment.urls")),
    path("shop/institution/", include("shop.institutions.urls")),
    path("shop/orders/", include("shop.buyer.urls")),
    path("shop/waitlist/", include("shop.waitlist.urls")),
    path("shop/", include("catalogue.urls")),
    # The buyer's account pages and password reset: Oscar's views with the shop's forms
    # and templates (and the sign-in step login protection needs), on Oscar's addresses.
    path("shop/accounts/standing/", include("shop.standing.urls")),
    path("shop/accounts/", include(account_urls.accounts)),
    path("shop/password-reset/", include(account_urls.password_reset)),
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
    path("search/", SiteSearchView.as_view(), name="site-search"),
    path("posters/product/<int:pk>/", content_views.product_poster, name="product-poster"),
    path("p/<str:code>", catalogue_views.short_link, name="short-link"),
    # a household's own page, by the private link its team hands over (short for a QR code)
    path("h/<str:token>/", household_view, name="household-page"),
    path(
        "h/<str:token>/statements/<int:run_id>.pdf",
        household_statement,
        name="household-statement",
    ),
    # an order's public receipt (钱去了哪里), by the signed link on its packing label's QR code
    path("r/<str:token>/", receipt_view, name="order-receipt"),
    path("shop/payment/", include("shop.payment.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
