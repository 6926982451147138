"""A cancelled order line gives its stock back, whoever cancelled it (the buyer, a team
in the dashboard, an unpaid online payment). Oscar's ``Line.cancel_allocation`` remembers
it was done, so the paths that also release the whole order never give units back twice."""

from django.dispatch import receiver
from oscar.apps.order.signals import order_line_status_changed

from shop.order.history import CANCELLED


@receiver(order_line_status_changed, dispatch_uid="shop.order.cancelled-line-returns-stock")
def cancelled_line_returns_stock(sender, line, old_status, new_status, **kwargs):
    if new_status != CANCELLED or not line.stockrecord_id or line.allocation_cancelled:
        return
    if line.num_allocated:
        from shop import cache as page_cache

        line.cancel_allocation(line.num_allocated)
        page_cache.note_allocation()
