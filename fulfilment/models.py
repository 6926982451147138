"""Getting food from the village to the buyer.

A pickup point (自提点) is where buyers collect their order: a hospital lobby,
a community gate, a market stall. Each belongs to the work team whose car stops
there and has a time window. Delivery runs, zones and lists build on these.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PickupPoint(models.Model):
    team = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="pickup_points",
        verbose_name=_("工作队"),
    )
    name = models.CharField(_("名称"), max_length=64)
    address = models.CharField(_("地址"), max_length=200)
    window = models.CharField(
        _("取货时间"), max_length=64, help_text=_("例如：周六 9:00–11:00")
    )
    notes = models.CharField(_("说明"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("自提点")
        verbose_name_plural = _("自提点")
        ordering = ["team_id", "name"]

    def __str__(self):
        return self.name

    @property
    def shipping_code(self):
        """The Oscar shipping-method code that stands for this pickup point."""
        return f"pickup-{self.pk}"
