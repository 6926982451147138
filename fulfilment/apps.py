from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "fulfilment"
    verbose_name = _("配送")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Loaded in ready(): they import models, and apps.py loads before any model exists.
        from fulfilment import receivers  # noqa: F401
