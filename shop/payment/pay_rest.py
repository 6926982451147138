"""Paying online what an order still owes: the 补款 of an order already paid online, and the
payment of a standing order paid online per order (``shop.standing``).

An order paid through Stripe can come to owe more: the buyer made it bigger before the
cut-off (``shop.order.changes``). A standing order paid online per order is placed at its
run's cut-off owing all of it. Either way what it owes is ``money.of(order).still_to_pay``
and nothing else; this module only says when that may be paid online (``payable``) and
opens the Stripe Checkout for exactly that amount (``stripe_gateway.start_rest_checkout``).
The payment is settled like any other session, by the webhook or the return page,
whichever comes first (``stripe_gateway.confirm_payment`` → ``life.paid_rest_online``:
recorded once).

The rest of an order already paid is paid online until the run's cut-off; an order with no
online payment yet (the standing order, placed only minutes before the cut-off) until its
run sets off. After that it is what the driver collects in cash at hand-over
(``OrderMoney.cash_to_collect`` counts ``still_to_pay`` of any online order not waiting at
checkout), so the buyer is never asked twice for the same yuan on two channels at
hand-over time; a payment landing after the driver took the cash is owed back
(``life.paid_rest_online``).
"""

import datetime
import logging

import stripe
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from fulfilment.models import DeliveryRun, OrderRun
from shop.order import money
from shop.order import status as order_status
from shop.payment import stripe_gateway
from shop.payment.processing import PaymentProblem

logger = logging.getLogger(__name__)

StripeCheckout = get_model("payment", "StripeCheckout")

# An open session is sent again only while it has this long left to be paid.
REUSE_MINUTES = 10


def payable(order):
    """What the buyer may pay online now as 补款 (zero when nothing, or not online)."""
    order_money = money.of(order)
    if not order_money.is_online or order_money.still_to_pay <= 0:
        return money.ZERO
    if order.status in (order_status.CANCELLED, order_status.PENDING_PAYMENT):
        return money.ZERO
    if not stripe_gateway.enabled():
        return money.ZERO
    link = OrderRun.objects.filter(order=order).select_related("run").first()
    if link is None or not open_for_payment(link.run, order_money):
        return money.ZERO
    return order_money.still_to_pay


# Runs an order with no online payment yet may still be paid online on: the car has not left.
NOT_SET_OFF = (DeliveryRun.Status.OPEN, DeliveryRun.Status.CLOSED, DeliveryRun.Status.COLLECTING)


def open_for_payment(run, order_money):
    """Whether an online order on ``run`` may pay what it owes online now: the rest of an
    order already paid until the cut-off; a first payment (a standing order paid online per
    order) until the run sets off."""
    if order_money.paid_online > 0:
        return run.is_open_for_orders
    return run.status in NOT_SET_OFF


def is_first_payment(order):
    """True when what the order owes online is its whole payment, not a 补款."""
    return money.of(order).paid_online <= 0


def why_not_payable(order):
    """The reason the buyer cannot pay the rest online now, in the buyer's language."""
    order_money = money.of(order)
    if order_money.still_to_pay <= 0:
        return _("这个订单没有要补的款。")
    if order_money.cash_to_collect > 0 and order_money.paid_online <= 0:
        return _("车已出发，在线付款已截止；¥%(amount)s 请取货时付给工作队。") % {
            "amount": order_money.cash_to_collect
        }
    if order_money.cash_to_collect > 0:
        return _("配送批次已截单，还差的 ¥%(amount)s 请取货时付给工作队。") % {
            "amount": order_money.cash_to_collect
        }
    return _("这个订单现在不能在线补款。")


def open_checkout(order, success_url, cancel_url, now=None):
    """The ``StripeCheckout`` the buyer is sent to for the rest: an open one for the same
    amount with time left, else a new one (an older one for another amount is closed at
    Stripe first, so no stale amount can still be paid). ``PaymentProblem`` when there is
    nothing to pay online or Stripe cannot be reached."""
    now = now or timezone.now()
    amount = payable(order)
    if amount <= 0:
        raise PaymentProblem(why_not_payable(order))
    reusable = (
        order.stripe_checkouts.filter(
            purpose=StripeCheckout.Purpose.REST,
            status=StripeCheckout.Status.OPEN,
            amount=amount,
            expires_at__gt=now + datetime.timedelta(minutes=REUSE_MINUTES),
        )
        .exclude(url="")
        .first()
    )
    if reusable is not None:
        return reusable
    close_open(order)
    money.forget(order)
    amount = payable(order)  # a closed session may have been paid after all
    if amount <= 0:
        raise PaymentProblem(why_not_payable(order))
    return stripe_gateway.start_rest_checkout(
        order, amount, success_url, cancel_url, now=now, first=is_first_payment(order)
    )


def close_open(order):
    """Close the order's open 补款 sessions at Stripe (one that was paid is settled), before
    the amount changes: a change of the order, a new session for another amount."""
    if not order.stripe_checkouts.filter(
        purpose=StripeCheckout.Purpose.REST, status=StripeCheckout.Status.OPEN
    ).exists():
        return
    try:
        stripe_gateway.close_session_for_cancel(order)
    except stripe.StripeError as error:
        logger.warning("Order %s: open 补款 session not closed: %s", order.number, error)
        raise PaymentProblem(_("在线支付暂时连不上，请稍后再试。")) from None
    money.forget(order)


def settle_return(order, session_id):
    """The buyer came back from Stripe: ask Stripe about that session of this order and
    settle it (the webhook may have done so already; then nothing happens)."""
    checkout = order.stripe_checkouts.filter(
        purpose=StripeCheckout.Purpose.REST, session_id=session_id or "-"
    ).first()
    if checkout is None or checkout.status != StripeCheckout.Status.OPEN:
        return
    try:
        stripe_gateway.settle_session(stripe_gateway.retrieve_session(checkout.session_id))
    except stripe.StripeError as error:
        logger.warning("Order %s: return from 补款 could not ask Stripe: %s", order.number, error)
    money.forget(order)
