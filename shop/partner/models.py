"""Work teams (驻村工作队) are Oscar partners: they own products and stock.

``StockReservation`` holds stock for a basket from the moment an order is placed until
its payment is settled (``shop.partner.reservations``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractPartner, AbstractStockRecord


class Partner(AbstractPartner):
    slug = models.SlugField(_("网址名"), max_length=80, blank=True, allow_unicode=True)
    institution = models.CharField(_("派出单位"), max_length=128, blank=True)
    description = models.TextField(_("简介"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)


class StockRecord(AbstractStockRecord):
    class Meta(AbstractStockRecord.Meta):
        indexes = [
            # Catalogue sort by price and the in-stock filter read these per product.
            models.Index(fields=["product", "price"], name="stock_product_price"),
            models.Index(fields=["product", "num_in_stock"], name="stock_product_level"),
        ]


class StockReservation(models.Model):
    """Units of one stock record taken for one basket; they become the order's allocation.
    Taken, converted and released by ``shop.partner.reservations``."""

    class State(models.TextChoices):
        HELD = "held", _("保留中")
        CONVERTED = "converted", _("已成交")
        RELEASED = "released", _("已释放")

    basket = models.ForeignKey(
        "basket.Basket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stockrecord = models.ForeignKey(
        "partner.StockRecord", on_delete=models.CASCADE, related_name="reservations"
    )
    order = models.ForeignKey(
        "order.Order",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stock_reservations",
    )
    quantity = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.HELD)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table kept its name when the model moved here from the payment app
        # (partner migration 0010 takes it over without touching a row).
        db_table = "payment_stockreservation"
        verbose_name = _("库存保留")
        verbose_name_plural = _("库存保留")
        indexes = [models.Index(fields=["state", "expires_at"])]

    def __str__(self):
        return f"{self.stockrecord_id}×{self.quantity} ({self.state})"


from oscar.apps.partner.models import *  # noqa: E402,F401,F403
