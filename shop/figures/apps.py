from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "shop.figures"
    label = "figures"
    verbose_name = _("运行中的统计数字")

    def ready(self):
        # Loaded in ready(): the receivers import models, and apps.py loads before any model.
        from shop.figures import receivers

        receivers.connect()
        post_migrate.connect(receivers.fill_after_migrate, sender=self)
