from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitlistConfig(AppConfig):
    name = "shop.waitlist"
    label = "waitlist"
    verbose_name = _("到货通知")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Loaded here: wake reads models, so it waits for the app registry.
        from fulfilment.signals import supply_added
        from shop.waitlist import wake

        supply_added.connect(wake.supply_added, dispatch_uid="waitlist-supply-added")
