from django.db import models
from oscar.apps.order.abstract_models import AbstractLine, AbstractOrder

from shop.loaded import KeepsLoadedValues


class Line(KeepsLoadedValues, AbstractLine):
    loaded_fields = ("quantity", "product_id")


class Order(KeepsLoadedValues, AbstractOrder):
    """Oscar's order. Its discount lists filter the ``discounts`` a page prefetched instead
    of asking the database once per list (the order pages show three of them)."""

    loaded_fields = ("status",)

    def _discounts_in(self, category):
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("discounts")
        if prefetched is None:
            return self.discounts.filter(category=category)
        return [discount for discount in prefetched if discount.category == category]

    @property
    def basket_discounts(self):
        return self._discounts_in(self.discounts.model.BASKET)

    @property
    def shipping_discounts(self):
        return self._discounts_in(self.discounts.model.SHIPPING)

    @property
    def post_order_actions(self):
        return self._discounts_in(self.discounts.model.DEFERRED)

    class Meta(AbstractOrder.Meta):
        # The order dashboards filter by status and sort by date; buyers list their own.
        indexes = [
            models.Index(fields=["status", "-date_placed"], name="order_status_date_idx"),
            models.Index(fields=["user", "-date_placed"], name="order_user_date_idx"),
        ]


from oscar.apps.order.models import *  # noqa: E402,F403
