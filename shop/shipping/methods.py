"""Shipping methods as buyers see them: pick up at a point, or home delivery."""

from decimal import Decimal as D

from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import Free


class PickupAtPoint(Free):
    """Collect the order at a pickup point (自提点); no fee."""

    is_pickup = True

    def __init__(self, point):
        self.point = point
        self.code = point.shipping_code
        self.name = _("自提：%(name)s") % {"name": point.name}
        self.description = f"{point.address} · {point.window}"

    def calculate(self, basket):
        price = super().calculate(basket)
        assert price.incl_tax == D("0.00")
        return price
