from django.apps import AppConfig


class ShopConfig(AppConfig):
    """The project: settings, URLs, the Celery app and the demo command (``load_demo``).
    Everything else lives in the apps (shop.order, shop.payment, …, catalogue, content,
    fulfilment) and the bottom layer (shop.core); docs/architecture.md draws the layers."""

    name = "shop"
    verbose_name = "521助农小店"
