from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitlistConfig(AppConfig):
    name = "shop.waitlist"
    label = "waitlist"
    verbose_name = _("到货通知")
    default_auto_field = "django.db.models.BigAutoField"
