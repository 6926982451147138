import oscar.apps.checkout.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CheckoutConfig(apps.CheckoutConfig):
    name = "shop.checkout"

    def ready(self):
        super().ready()
        # Loaded in ready(): they import models, and apps.py loads before any model exists.
        from shop.checkout import tasks  # noqa: F401  registers the e-mail task with Celery

        self.confirm_view = get_class("checkout.views", "ConfirmView")

    def get_urls(self):
        """Oscar's checkout pages, and the one-page order confirmation buyers take."""
        confirm = path("confirm/", self.confirm_view.as_view(), name="confirm")
        return super().get_urls() + self.post_process_urls([confirm])
