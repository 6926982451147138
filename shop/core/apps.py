from django.apps import AppConfig
from oscar.core.loading import get_model


class CoreConfig(AppConfig):
    """The bottom layer: what every app uses and that knows no app (dates, images, mail,
    security headers, the database router, health checks, the page cache's receivers).
    Installed so its template tags, tasks and receivers are found."""

    name = "shop.core"
    label = "shop_core"
    verbose_name = "基础层"  # no models: never shown in an admin

    def ready(self):
        # Loaded in ready(): receivers and rows import models, and apps.py loads before any
        # model exists; the watched models are looked up once the app registry is full.
        from shop.core import images, receivers
        from shop.speed import rows

        images.set_pillow_limit()
        receivers.connect_page_cache_invalidation()
        rows.watch(
            get_model("payment", "SourceType"),
            get_model("order", "PaymentEventType"),
            get_model("address", "Country"),
        )
