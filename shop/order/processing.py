"""Oscar's order event handler, for the dashboard: a status a person picks goes through
the order-life module (``shop.order.life``) like every other change to an order."""

from oscar.apps.order import processing
from oscar.apps.order.exceptions import InvalidOrderStatus

from shop.order import life


class EventHandler(processing.EventHandler):
    def handle_order_status_change(self, order, new_status, note_msg=None):
        if new_status not in order.available_statuses():
            raise InvalidOrderStatus(
                f"'{new_status}' is not a valid status for order {order.number} "
                f"(current status: '{order.status}')"
            )
        life.by_hand(order, new_status, user=self.user, message=note_msg or "")
        order.refresh_from_db(fields=["status"])
