from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    """Institution buyers: hospitals, agencies, their trade unions and canteens that buy
    for staff or kitchens against a yearly consumption-aid target, order under one account,
    take delivery at their own drop-off and pay by transfer against a monthly statement."""

    name = "shop.institutions"
    label = "institutions"
    verbose_name = _("单位客户")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Loaded in ready(): they import models, and apps.py loads before any model exists.
        from shop.institutions.membership import forget_kept
        from shop.institutions.models import Institution

        # checkout reads the private drop-offs from the cache (``membership._kept``)
        post_save.connect(forget_kept, sender=Institution, dispatch_uid="institutions-save")
        post_delete.connect(forget_kept, sender=Institution, dispatch_uid="institutions-del")
