from django.db import models
from model_utils import FieldTracker
from oscar.apps.order.abstract_models import AbstractLine, AbstractOrder


class Line(AbstractLine):
    # What a save changed, for the run's load (``fulfilment.receivers``).
    tracker = FieldTracker(fields=["quantity", "product_id"])


class CheckoutGroup(models.Model):
    """One checkout that placed several orders: a basket holding several teams' produce
    is split into one order per team (``shop.checkout.split``). The orders stay separate
    (own run, pickup, money, refunds); this only records that they were bought together,
    for the thank-you page, the e-mail, the buyer's account and one online payment."""

    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"checkout group {self.pk}"


class Order(AbstractOrder):
    """Oscar's order. Its discount lists filter the ``discounts`` a page prefetched instead
    of asking the database once per list (the order pages show three of them)."""

    tracker = FieldTracker(fields=["status"])

    checkout_group = models.ForeignKey(
        CheckoutGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        help_text="Set when one checkout placed this order with others (one per team).",
    )

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


class OrderSubmission(models.Model):
    """The one-time key the order confirmation form ("提交订单") carries, recorded with the
    order it placed. A repeated submit with the same key (a retry after an error page, a
    double tap) finds this order instead of placing a second one (shop/checkout/views.py)."""

    key = models.UUIDField(unique=True)
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="submission")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.key} → {self.order_id}"


from oscar.apps.order.models import *  # noqa: E402,F403
