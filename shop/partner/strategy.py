"""Oscar's default pricing and stock strategy, reading a basket line's own stock record.

Oscar's ``fetch_for_line`` ignores the line's stock record and looks the product's
first one up again, a query per line on every page that shows the basket. The line's
stock record is the one its stock is reserved and allocated from
(``shop.partner.reservations``), and the basket loads it with the line.
"""

from oscar.apps.partner import strategy


class Default(strategy.Default):
    def fetch_for_line(self, line, stockrecord=None):
        return self.fetch_for_product(line.product, stockrecord or line.stockrecord)


class Selector(strategy.Selector):
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request)
