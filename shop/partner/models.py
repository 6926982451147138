"""Work teams (驻村工作队) are Oscar partners: they own products and stock."""

from django.db import models
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


from oscar.apps.partner.models import *  # noqa: E402,F401,F403
