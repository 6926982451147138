"""The buyer's confirmations of an order (text message and e-mail), sent by a worker.

Placing an order should not wait for the pickup facts to be looked up, the text message
to be recorded, templates to render or the mail queue; the checkout queues this task
once the order is committed (one message to the broker). With no broker it runs at once,
in-process, as before. The order is read from the primary and, should it not be found (a
database that fails over, a connection lost), read again with backoff.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from kombu.exceptions import OperationalError
from oscar.core.loading import get_class, get_model

from shop import notices
from shop.core.tasks import RETRY_ON_MISSING_ROWS
from shop.order import groups

logger = logging.getLogger(__name__)


@shared_task(name="shop.checkout.tasks.confirm_orders", **RETRY_ON_MISSING_ROWS)
def confirm_orders(order_ids, language=None, status_path=None, status_url=None):
    """Tell the buyer her orders are placed: a text message per order (``shop.notices``,
    once per order however often this runs) and, when she gave an e-mail address, one
    e-mail for the first order of its checkout (a split basket's e-mail lists every part,
    ``shop.order.groups``). ``language`` is
    the buyer's at checkout (a worker has none of its own).

    Run again after a dropped connection (``RETRY_ON_MISSING_ROWS``): the text messages
    already recorded are not recorded or sent twice."""
    Order = get_model("order", "Order")

    # The primary (tasks are pinned to it, shop/celery.py), and again if it is not there yet.
    found = Order.objects.using("default").select_related("user").in_bulk(order_ids)
    missing = [pk for pk in order_ids if pk not in found]
    if missing:
        raise Order.DoesNotExist(f"orders {missing} not found")
    orders = [found[pk] for pk in order_ids]
    language = language or settings.LANGUAGE_CODE
    for order in orders:
        notices.order_confirmed(order, language=language)
    if orders[0].email and groups.is_first_of_group(orders[0]):
        _send_order_email(orders[0], language, status_path, status_url)


def queue_confirmations(order_ids, **kwargs):
    """``confirm_orders`` for a worker once the broker has it; run here, at once, when
    the broker cannot be reached, so the buyer gets her confirmations all the same.
    Whatever fails is logged: the orders stand."""
    try:
        confirm_orders.delay(order_ids, **kwargs)
    except OperationalError:
        logger.warning("Task queue unreachable; confirming orders %s now", order_ids)
        try:
            confirm_orders(order_ids, **kwargs)
        except Exception:
            logger.exception("Orders %s: the confirmations could not be sent", order_ids)
    except Exception:
        logger.exception("Orders %s: the confirmations could not be queued", order_ids)


def _send_order_email(order, language, status_path, status_url):
    OrderDispatcher = get_class("order.utils", "OrderDispatcher")
    context = {"user": order.user or AnonymousUser(), "order": order, "lines": order.lines.all()}
    if status_path:
        context.update(status_path=status_path, status_url=status_url)
    with translation.override(language):
        OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)
