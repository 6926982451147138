from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The work team's desk: roles, the audit log, reports and login protection.

    Its dashboard pages are mounted by ``shop.dashboard.apps`` so they share the
    dashboard's namespace, menu and permission checks.
    """

    name = "shop.desk"
    label = "desk"
    verbose_name = _("工作台")

    def ready(self):
        # Loaded in ready(): it imports models, and apps.py loads before any model exists.
        from shop.desk import audit, roles
        from shop.speed import page_cache

        audit.register()
        # The header's personal parts offer 工作台 by this rule: buyers it answers alike
        # for get the same parts, drawn once per process (shop/speed/page_cache.py).
        page_cache.parts_show(roles.sees_desk)
