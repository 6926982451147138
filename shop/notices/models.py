"""One row per message a buyer is sent about an order, so each is sent once.

``key`` names the event (kind, order and, where one order can hear of the same kind twice,
what it is about); the row is written before the provider is asked, and a second call
with the same key finds it and sends nothing. The order page lists the rows that went out.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    class Kind(models.TextChoices):
        ORDER_CONFIRMED = "order_confirmed", _("订单确认")
        ON_ITS_WAY = "on_its_way", _("已出发")
        READY = "ready", _("可以取货")
        DELIVERED = "delivered", _("已交付")
        SHORTFALL = "shortfall", _("缺货调整")
        PAYOUT_PAID = "payout_paid", _("农户收款")

    order = models.ForeignKey(
        "order.Order",
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("订单"),
        null=True,
        blank=True,
    )
    # A household told that it was paid (then ``order`` is empty).
    payout = models.ForeignKey(
        "fulfilment.Payout",
        on_delete=models.CASCADE,
        related_name="notices",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=12, default="sms")
    phone = models.CharField(_("手机号"), max_length=20)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    params = models.JSONField(_("模板参数"), default=dict)
    key = models.CharField(_("幂等键"), max_length=120, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    provider_id = models.CharField(_("服务商回执"), max_length=120, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("短信通知")
        verbose_name_plural = _("短信通知")
        ordering = ["created", "pk"]

    def __str__(self):
        return self.key
