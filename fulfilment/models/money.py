"""Money owed after delivery: refunds owed to buyers, weighed lines that change what a
buyer pays, and payouts to households (see ``fulfilment.payouts``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulfilment.models.runs import DeliveryRun
from fulfilment.models.supply import Shortfall


class RefundOwed(models.Model):
    """Money the shop owes a buyer; the payments side turns it into a real refund and sets
    ``settled_at``/``reference``."""

    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="refunds_owed")
    line = models.ForeignKey(
        "order.Line", on_delete=models.CASCADE, null=True, blank=True, related_name="refunds_owed"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason = models.CharField(max_length=200)
    shortfall = models.ForeignKey(
        Shortfall, on_delete=models.SET_NULL, null=True, blank=True, related_name="refunds"
    )
    created = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=128, blank=True)

    class Meta:
        verbose_name = _("待退款")
        verbose_name_plural = _("待退款")
        ordering = ["created", "pk"]

    def __str__(self):
        return f"{self.order_id}: ¥{self.amount}"


class LineWeight(models.Model):
    """The real weight of an order line priced by weight (its birds together), recorded by
    the team at collection or hand-over (``shop.order.life.weighed``). ``amount`` is what
    the weight changes on the line: the real value less what the buyer was charged at the
    estimate for the pieces delivered (above zero the buyer owes more, below zero less).
    Weighing again replaces the weight and the amount; there is one row per line."""

    line = models.OneToOneField("order.Line", on_delete=models.CASCADE, related_name="weighing")
    weight_jin = models.DecimalField(max_digits=6, decimal_places=1)
    pieces = models.PositiveIntegerField()
    price_per_jin = models.DecimalField(max_digits=8, decimal_places=2)
    charged = models.DecimalField(max_digits=10, decimal_places=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    refund_owed = models.ForeignKey(
        RefundOwed, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"line {self.line_id}: {self.weight_jin} jin"

    @property
    def difference(self):
        """The change without its sign (the page says "多" or "少")."""
        return abs(self.amount)


class Payout(models.Model):
    """A household's earnings for a run or a month, snapshotted when marked as paid.

    ``covered_runs`` names every run the payout settled, so a run paid inside a month is
    never paid again on its own, and the other way round (see ``fulfilment.payouts``)."""

    household = models.ForeignKey(
        "catalogue.Household", on_delete=models.PROTECT, related_name="payouts"
    )
    run = models.ForeignKey(
        DeliveryRun, on_delete=models.PROTECT, null=True, blank=True, related_name="payouts"
    )
    month = models.DateField(null=True, blank=True, help_text="first day of the month")
    gross = models.DecimalField(max_digits=10, decimal_places=2)
    fee = models.DecimalField(max_digits=10, decimal_places=2)
    net = models.DecimalField(max_digits=10, decimal_places=2)
    paid_at = models.DateTimeField(default=timezone.now)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    covered_runs = models.ManyToManyField(
        DeliveryRun,
        blank=True,
        related_name="+",
        help_text="the runs whose allocations this payout paid (one for a run payout)",
    )

    class Meta:
        ordering = ["-paid_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "run"],
                condition=models.Q(run__isnull=False),
                name="payout_once_per_run",
            ),
            models.UniqueConstraint(
                fields=["household", "month"],
                condition=models.Q(month__isnull=False),
                name="payout_once_per_month",
            ),
        ]

    def __str__(self):
        return f"{self.household_id}: ¥{self.net}"
