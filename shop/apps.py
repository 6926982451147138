from django.apps import AppConfig


class ShopConfig(AppConfig):
    """The project app: templates tags, demo data, and the operations glue."""

    name = "shop"
    verbose_name = "521助农小店"

    def ready(self):
        from shop import analytics, images, receivers

        images.set_pillow_limit()
        analytics.connect()
        receivers.connect_page_cache_invalidation()
        receivers.connect_rendition_warmup()

        from oscar.core.loading import get_model

        from shop.speed import rows

        rows.watch(
            get_model("payment", "SourceType"),
            get_model("order", "PaymentEventType"),
            get_model("address", "Country"),
        )
