"""The order confirmation e-mail, rendered and sent by a worker.

Placing an order should not wait for templates to render or for the mail queue; the
checkout queues this task once the order is committed. With no broker it runs at once,
in-process, as before. The order is read from the primary and, should it not be found (a
database that fails over, a connection lost), read again with backoff.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from oscar.core.loading import get_class, get_model

from shop.core.tasks import RETRY_ON_MISSING_ROWS

logger = logging.getLogger(__name__)


@shared_task(name="shop.checkout.tasks.send_order_placed_email", **RETRY_ON_MISSING_ROWS)
def send_order_placed_email(order_id, status_path=None, status_url=None, language=None):
    """``language`` is the buyer's at checkout (a worker has none of its own)."""
    Order = get_model("order", "Order")
    OrderDispatcher = get_class("order.utils", "OrderDispatcher")

    # The primary (tasks are pinned to it, shop/celery.py), and again if it is not there yet.
    order = Order.objects.using("default").select_related("user").get(pk=order_id)
    context = {"user": order.user or AnonymousUser(), "order": order, "lines": order.lines.all()}
    if status_path:
        context.update(status_path=status_path, status_url=status_url)
    with translation.override(language or settings.LANGUAGE_CODE):
        OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)
