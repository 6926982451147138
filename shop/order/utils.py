"""Order placement that never oversells.

Oscar's ``OrderCreator.update_stock_records`` allocates without checking what is left.
Here a line whose stock the checkout already reserved (``shop.partner.reservations``)
takes that reservation as its allocation; any other line must pass the same
conditional update, or the whole order is refused. An order placed as "待付款" (online
payment under way) gets its lines in that status too, so no team confirms them early.
"""

from oscar.apps.order import utils
from oscar.apps.order.exceptions import UnableToPlaceOrder

from shop.order.history import PENDING_PAYMENT
from shop.partner import reservations


class OrderCreator(utils.OrderCreator):
    def create_line_models(self, order, basket_line, extra_line_fields=None):
        if order.status == PENDING_PAYMENT:
            extra_line_fields = {**(extra_line_fields or {}), "status": PENDING_PAYMENT}
        return super().create_line_models(order, basket_line, extra_line_fields)

    def update_stock_records(self, line):
        if not line.stockrecord_id or not line.product.get_product_class().track_stock:
            return
        if reservations.is_reserved(line):
            return
        if not reservations.take(line.stockrecord_id, line.quantity):
            raise UnableToPlaceOrder(reservations.shortage_message(line, line.stockrecord_id))
