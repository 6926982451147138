"""Payment records of the shop on top of Oscar's sources and events.

``StripeCheckout`` ties an order to its Stripe Checkout Session; ``ProcessedStripeEvent`` makes every
webhook event act once (``shop.payment.webhooks``). ``Refund`` is money given back,
through Stripe or as cash owed at pickup (``shop.payment.refunds``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StripeCheckout(models.Model):
    """One Stripe Checkout Session opened for an order (a retry opens a new one). A split
    basket's orders share one session: one row per order, each with its own ``amount``."""

    class Status(models.TextChoices):
        OPEN = "open", _("待付款")
        PAID = "paid", _("已付款")
        EXPIRED = "expired", _("已过期")
        FAILED = "failed", _("付款失败")

    class Purpose(models.TextChoices):
        ORDER = "order", _("订单付款")
        REST = "rest", _("补款")  # what a paid order came to owe later (shop.payment.pay_rest)

    order = models.ForeignKey(
        "order.Order", on_delete=models.CASCADE, related_name="stripe_checkouts"
    )
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.ORDER)
    session_id = models.CharField(max_length=255, db_index=True)
    payment_intent = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session_id", "order"], name="stripecheckout_one_row_per_order"
            )
        ]

    def __str__(self):
        return self.session_id


class ProcessedStripeEvent(models.Model):
    """A webhook event already acted on; Stripe may send the same event again."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-processed_at"]

    def __str__(self):
        return f"{self.event_id} {self.type}"


class Refund(models.Model):
    """Money given back for a whole order or some of its lines.

    The primary key is known before Stripe is called and makes the idempotency key,
    so a retried refund never reaches the buyer twice.
    """

    class Reason(models.TextChoices):
        SHORTFALL = "shortfall", _("缺货")
        DAMAGED = "damaged", _("货物损坏")
        CANCELLED = "cancelled", _("截单前取消")
        OTHER = "other", _("其他")

    class State(models.TextChoices):
        PENDING = "pending", _("处理中")
        SUCCEEDED = "succeeded", _("已退款")
        FAILED = "failed", _("退款失败")
        CASH_OWED = "cash_owed", _("待退现金")

    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="refunds")
    source = models.ForeignKey("payment.Source", on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("原因"), max_length=12, choices=Reason.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    failure = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The delivery side's debt this refund pays back (``refunds.settle_owed``); the row is
    # marked settled when this refund succeeds, however late, and reopened if it fails.
    owed = models.ForeignKey(
        "fulfilment.RefundOwed",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="refunds",
    )
    created = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["created", "pk"]

    def __str__(self):
        return f"{self.order_id}: ¥{self.amount} ({self.state})"

    @property
    def idempotency_key(self):
        return f"nongzhu-refund-{self.pk}"


class RefundLine(models.Model):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("order.Line", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self):
        return f"{self.line_id}×{self.quantity}"


from oscar.apps.payment.models import *  # noqa: E402,F401,F403
