"""Order placement that never oversells.

Oscar's ``OrderCreator.update_stock_records`` allocates without checking what is left.
The checkout therefore reserves the basket's stock first (``shop.partner.reservations``,
a conditional update that refuses to go below zero), and here a line whose stock is
reserved takes that reservation as its allocation instead of allocating again. Orders
created outside the checkout (demo history, imports) allocate as Oscar does. An order
placed as "待付款" (online payment under way) gets its lines in that status too, so no
team confirms them early.
"""

from django.conf import settings
from django.db import transaction
from oscar.apps.order import utils
from oscar.apps.order.signals import order_placed

from shop.basket.features import offers_exist, vouchers_exist
from shop.order.status import PENDING_PAYMENT
from shop.partner import reservations
from shop.speed import keep_as_prefetched


def remember_line(order, line):
    """Keep the lines just created as ``order.lines.all()``, as ``prefetch_related`` would:
    the receivers of ``order_placed`` (runs, analytics), the payment events and the order
    e-mail all read them, and would otherwise each query them again."""
    if "lines" not in order.__dict__.get("_prefetched_objects_cache", {}):
        keep_as_prefetched(order, "lines", [])
    order._prefetched_objects_cache["lines"]._result_cache.append(line)


class OrderCreator(utils.OrderCreator):
    def place_order(self, basket, *args, **kwargs):
        self._basket = basket
        self._reserved = None  # the stock records the basket holds, read at the first line
        if not vouchers_exist():
            # Oscar reads the basket's vouchers twice; with no voucher in the shop there are none.
            keep_as_prefetched(basket, "vouchers", [])
            if not offers_exist() and transaction.get_connection().in_atomic_block:
                return self._place_plain_order(basket, *args, **kwargs)
        return super().place_order(basket, *args, **kwargs)

    def _place_plain_order(
        self,
        basket,
        total,
        shipping_method,
        shipping_charge,
        user=None,
        shipping_address=None,
        billing_address=None,
        order_number=None,
        status=None,
        request=None,
        surcharges=None,
        **kwargs,
    ):
        """Oscar's ``place_order`` for a basket with no vouchers or offers to record,
        written inside the caller's transaction (``shop.order.placement`` opens it).

        Two round trips fewer per order than Oscar's: no query asking whether the number
        is taken (the number is unique in the table: a second order with it fails its
        insert, and the caller's transaction rolls back whole) and no savepoint (anything
        failing here fails the caller's transaction, which undoes the room and stock it
        took)."""
        if basket.is_empty:
            raise ValueError("Empty baskets cannot be submitted")
        order = self.create_order_model(
            user,
            basket,
            shipping_address,
            shipping_method,
            shipping_charge,
            billing_address,
            total,
            order_number or utils.OrderNumberGenerator().order_number(basket),
            status or settings.OSCAR_INITIAL_ORDER_STATUS,
            request,
            surcharges=surcharges,
            **kwargs,
        )
        lines = basket.all_lines()
        for line in lines:
            self.create_line_models(order, line)
        # Stock records in id order, as Oscar does, so concurrent orders lock alike.
        for line in sorted(lines, key=lambda line: line.stockrecord_id or 0):
            self.update_stock_records(line)
        order_placed.send(sender=self, order=order, user=user)
        return order

    def create_line_models(self, order, basket_line, extra_line_fields=None):
        if order.status == PENDING_PAYMENT:
            extra_line_fields = {**(extra_line_fields or {}), "status": PENDING_PAYMENT}
        line = super().create_line_models(order, basket_line, extra_line_fields)
        remember_line(order, line)
        return line

    def create_line_price_models(self, order, order_line, basket_line):
        """Oscar's breakdown rows only where a line's units sold at different prices (an
        offer's discount on some of them). A line at one price would get one row copying
        its own unit price and quantity, which a buyer's change or a shortfall
        (``shop.order.life``) would leave behind: the line is that price's only record."""
        if basket_line.discount_value:
            super().create_line_price_models(order, order_line, basket_line)

    def update_stock_records(self, line):
        if not line.stockrecord_id or not line.product.get_product_class().track_stock:
            return
        if getattr(self, "_reserved", None) is None:
            self._reserved = reservations.reserved_stockrecord_ids(self._basket)
        if line.stockrecord_id in self._reserved:
            return
        # Orders placed outside the checkout (demo history, imports) allocate as Oscar does.
        super().update_stock_records(line)
