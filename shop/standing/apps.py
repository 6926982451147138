from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandingConfig(AppConfig):
    name = "shop.standing"
    label = "standing"
    verbose_name = _("定期订单")
