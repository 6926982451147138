from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "shop.notices"
    label = "notices"
    verbose_name = _("短信通知")
    default_auto_field = "django.db.models.AutoField"
