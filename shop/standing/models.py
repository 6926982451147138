"""A buyer's standing order, its lines, and what became of it on each run.

Statuses and frequencies are spelled here only; ``schedule`` and ``placing`` hold the rules.
``StandingRun`` is the one row per (standing order, run): written when the buyer skips that
run or when the cut-off task decides it (placed, or nothing could be placed). Its unique
constraint is what makes placing twice impossible.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.payment.methods import PAY_ON_PICKUP, STRIPE


class StandingOrder(models.Model):
    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("每周一次")
        FORTNIGHTLY = "fortnightly", _("每两周一次")

    class Payment(models.TextChoices):
        # The codes are the payment methods' (``shop.payment.methods``): each placed order
        # records its choice under the same code as a checkout would.
        ON_PICKUP = PAY_ON_PICKUP, _("到付：取货时付款（现金或扫码转账）")
        ONLINE = STRIPE, _("在线支付：每次下单后在线付款")

    class Status(models.TextChoices):
        ACTIVE = "active", _("进行中")
        PAUSED = "paused", _("已暂停")
        STOPPED = "stopped", _("已停止")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="standing_orders",
        verbose_name=_("顾客"),
    )
    team = models.ForeignKey(
        "partner.Partner",
        on_delete=models.CASCADE,
        related_name="standing_orders",
        verbose_name=_("工作队"),
    )
    point = models.ForeignKey(
        "fulfilment.PickupPoint",
        on_delete=models.PROTECT,
        related_name="standing_orders",
        verbose_name=_("自提点"),
    )
    frequency = models.CharField(
        _("频率"), max_length=12, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    payment = models.CharField(
        _("付款方式"), max_length=16, choices=Payment.choices, default=Payment.ON_PICKUP
    )
    # Fortnightly orders fall on the weeks an even number of weeks after this Monday.
    first_week = models.DateField(_("起始周"))
    name = models.CharField(_("取货人"), max_length=64)
    phone = models.CharField(_("手机号"), max_length=20)
    language = models.CharField(max_length=10, default="zh-hans")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("定期订单")
        verbose_name_plural = _("定期订单")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.get_frequency_display()} · {self.team} · {self.owner}"

    @property
    def is_stopped(self):
        return self.status == self.Status.STOPPED

    @property
    def pays_online(self):
        return self.payment == self.Payment.ONLINE

    @property
    def is_paused(self):
        return self.status == self.Status.PAUSED


class StandingLine(models.Model):
    standing = models.ForeignKey(StandingOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("商品")
    )
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["standing", "product"], name="standing_line_one_per_product"
            )
        ]

    def __str__(self):
        return f"{self.product_id} × {self.quantity}"


class StandingRun(models.Model):
    """What became of a standing order on one run; at most one row per pair."""

    class State(models.TextChoices):
        SKIPPED = "skipped", _("已跳过")
        PLACED = "placed", _("已下单")
        NOTHING = "nothing", _("未能下单")

    standing = models.ForeignKey(
        StandingOrder, on_delete=models.CASCADE, related_name="occurrences"
    )
    run = models.ForeignKey(
        "fulfilment.DeliveryRun", on_delete=models.CASCADE, related_name="standing_occurrences"
    )
    state = models.CharField(max_length=10, choices=State.choices)
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="standing_occurrence",
    )
    # What the buyer was told: lines cut or left out, or why nothing could be placed.
    notes = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run__date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["standing", "run"], name="standing_run_once")
        ]

    def __str__(self):
        return f"{self.standing_id} @ {self.run_id}: {self.state}"
