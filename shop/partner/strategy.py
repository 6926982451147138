"""Oscar's default pricing and stock strategy, reading a basket line's own stock record,
and saying stock in the product's own unit.

Oscar's ``fetch_for_line`` ignores the line's stock record and looks the product's
first one up again, a query per line on every page that shows the basket. The line's
stock record is the one its stock is reserved and allocated from
(``shop.partner.reservations``), and the basket loads it with the line.

Oscar's stock messages count in pieces (``库存 192 件``, ``最多可以购买 3``); the shop's
count in the unit the product is sold in (``库存 192 斤``, ``catalogue.units``).
"""

from django.utils.translation import gettext as _
from oscar.apps.partner import availability, strategy

from catalogue import units
from shop.speed import page_cache


class StockInUnits(availability.StockRequired):
    def __init__(self, num_available, product):
        super().__init__(num_available)
        self.product = product

    def is_purchase_permitted(self, quantity):
        if 0 < self.num_available < quantity:
            return False, _("最多还能买 %(amount)s") % {
                "amount": units.amount(self.num_available, self.product)
            }
        return super().is_purchase_permitted(quantity)

    @property
    def message(self):
        if self.num_available > 0:
            return _("库存 %(amount)s") % {"amount": units.amount(self.num_available, self.product)}
        return super().message


class Default(strategy.Default):
    def fetch_for_product(self, product, stockrecord=None):
        info = super().fetch_for_product(product, stockrecord)
        if info.stockrecord is not None:
            # A cached page showing whether it can be bought goes stale when that changes;
            # the product page, which shows how much is left, names the record itself.
            page_cache.depends_on(page_cache.on_sale_tag(info.stockrecord.pk))
        return info

    def fetch_for_line(self, line, stockrecord=None):
        return self.fetch_for_product(line.product, stockrecord or line.stockrecord)

    def select_stockrecord(self, product):
        """Oscar's, with the team read along when the stock records were not prefetched:
        a basket line made from it becomes an order line naming the team, which would
        otherwise read it again."""
        if "stockrecords" in getattr(product, "_prefetched_objects_cache", {}):
            return super().select_stockrecord(product)
        records = list(product.stockrecords.select_related("partner")[:1])
        return records[0] if records else None

    def availability_policy(self, product, stockrecord):
        policy = super().availability_policy(product, stockrecord)
        if isinstance(policy, availability.StockRequired):
            return StockInUnits(policy.num_available, product)
        return policy


class Selector(strategy.Selector):
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request)
