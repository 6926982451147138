"""Online payment through Stripe Checkout: card, Alipay and WeChat Pay, in yuan.

The flow: the checkout places the order as "待付款" with its stock reserved, then
``start_checkout`` opens a Checkout Session and the buyer is sent to Stripe. Stripe's
webhook (``shop.payment.webhooks``) is the authority: ``settle_session`` confirms a
paid session (debit, payment event, order to "待确认", confirmation e-mail) or cancels
the order of an expired or failed one and gives its stock back. The return URL asks
Stripe about the session and settles it the same way, so whichever arrives first wins
and the other finds nothing left to do. A payment that lands on an order already
cancelled (the reservation ran out first) is refunded in full at once.

The Stripe client is built by ``get_client``; ``settings.STRIPE_HTTP_CLIENT_FACTORY``
names a callable returning a ``stripe.HTTPClient`` (tests answer with recorded shapes), and
``settings.STRIPE_API_BASE`` another address for the API (the production-shaped stage's
stand-in on loopback).
"""

import datetime
import logging

import stripe
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.checkout import tasks as checkout_tasks
from shop.order import history, life
from shop.order import status as order_status
from shop.partner import reservations
from shop.payment import methods, refunds
from shop.payment.processing import PaymentProblem, source_type
from shop.payment.stripe_client import as_dict, from_fen, get_client, to_fen  # noqa: F401

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
Source = get_model("payment", "Source")
StripeCheckout = get_model("payment", "StripeCheckout")

PAYMENT_METHOD_TYPES = ["card", "alipay", "wechat_pay"]
# Stripe accepts session lifetimes from 30 minutes; ours outlives the stock reservation
# by a little, and expire_order closes the session at Stripe before cancelling.
SESSION_MINUTES = 31


def enabled():
    return methods.stripe_enabled()


# --- opening a session ---------------------------------------------------------------


def start_checkout(order, success_url, cancel_url, now=None):
    """Open a Checkout Session for the whole order total; return the ``StripeCheckout``."""
    return start_checkout_for([order], success_url, cancel_url, now=now)


def start_checkout_for(orders, success_url, cancel_url, now=None):
    """Open one Checkout Session paying ``orders`` (the parts of a split basket, or one
    order): a line per order, the metadata naming every order number, and one
    ``StripeCheckout`` row per order holding its own amount. Returns the first row (its
    ``url`` is the session's)."""
    now = now or timezone.now()
    first = orders[0]
    expires_at = now + datetime.timedelta(minutes=SESSION_MINUTES)
    attempt = first.stripe_checkouts.count() + 1
    numbers = ",".join(str(order.number) for order in orders)
    params = {
        "mode": "payment",
        "payment_method_types": PAYMENT_METHOD_TYPES,
        "payment_method_options": {"wechat_pay": {"client": "web"}},
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "cny",
                    "unit_amount": to_fen(order.total_incl_tax),
                    "product_data": {
                        "name": _("521助农小店订单 %(number)s") % {"number": order.number}
                    },
                },
            }
            for order in orders
        ],
        "client_reference_id": first.number,
        "metadata": {"order_number": first.number},
        "payment_intent_data": {"metadata": {"order_number": first.number}},
        "expires_at": int(expires_at.timestamp()),
        "locale": "zh",
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if len(orders) > 1:
        for metadata in (params["metadata"], params["payment_intent_data"]["metadata"]):
            metadata["order_numbers"] = numbers
    if first.email:
        params["customer_email"] = first.email
    try:
        session = get_client().v1.checkout.sessions.create(
            params, {"idempotency_key": f"nongzhu-checkout-{first.number}-{attempt}"}
        )
    except stripe.StripeError as error:
        logger.warning("Orders %s: Stripe session not created: %s", numbers, error)
        raise PaymentProblem(_("在线支付暂时连不上，订单未付款。请稍后再试，或选择取货时付款。"))
    checkouts = StripeCheckout.objects.bulk_create(
        StripeCheckout(
            order=order,
            session_id=session["id"],
            url=session["url"] or "",
            amount=order.total_incl_tax,
            currency=order.currency,
            expires_at=expires_at,
            created=now,
        )
        for order in orders
    )
    return checkouts[0]


def start_rest_checkout(order, amount, success_url, cancel_url, now=None, first=False):
    """Open a Checkout Session for ``amount``, what an order placed already owes (the rest
    of an order paid online that grew, or with ``first`` the whole of a standing order paid
    online per order; ``shop.payment.pay_rest`` says how much and when); the
    ``StripeCheckout`` row is marked ``REST`` so its payment is recorded on a source of its
    own by ``life.paid_rest_online``, never as a checkout's payment that moves "待付款" on."""
    now = now or timezone.now()
    expires_at = now + datetime.timedelta(minutes=SESSION_MINUTES)
    attempt = order.stripe_checkouts.count() + 1
    metadata = {"order_number": order.number, "purpose": StripeCheckout.Purpose.REST}
    params = {
        "mode": "payment",
        "payment_method_types": PAYMENT_METHOD_TYPES,
        "payment_method_options": {"wechat_pay": {"client": "web"}},
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "cny",
                    "unit_amount": to_fen(amount),
                    "product_data": {
                        "name": (
                            _("521助农小店订单 %(number)s")
                            if first
                            else _("521助农小店订单 %(number)s 补款")
                        )
                        % {"number": order.number}
                    },
                },
            }
        ],
        "client_reference_id": order.number,
        "metadata": metadata,
        "payment_intent_data": {"metadata": dict(metadata)},
        "expires_at": int(expires_at.timestamp()),
        "locale": "zh",
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if order.email:
        params["customer_email"] = order.email
    try:
        session = get_client().v1.checkout.sessions.create(
            params, {"idempotency_key": f"nongzhu-rest-{order.number}-{attempt}"}
        )
    except stripe.StripeError as error:
        logger.warning("Order %s: Stripe session for the rest not created: %s", order.number, error)
        raise PaymentProblem(_("在线支付暂时连不上，请稍后再试；也可以取货时付现金。"))
    return StripeCheckout.objects.create(
        order=order,
        purpose=StripeCheckout.Purpose.REST,
        session_id=session["id"],
        url=session["url"] or "",
        amount=amount,
        currency=order.currency,
        expires_at=expires_at,
        created=now,
    )


def retrieve_session(session_id):
    return as_dict(get_client().v1.checkout.sessions.retrieve(session_id))


# --- settling ------------------------------------------------------------------------


def checkouts_of_session(session_id):
    """The ``StripeCheckout`` rows of one session: one per order it pays."""
    return list(StripeCheckout.objects.filter(session_id=session_id or "-").order_by("pk"))


def outcome_of(outcomes):
    """One outcome word for a session paying several orders: the word when all agree."""
    return outcomes[0] if len(set(outcomes)) == 1 else ",".join(outcomes)


def settle_session(session):
    """Act on what Stripe says about a session (a dict); return a short outcome word.
    A session paying several orders (a split basket) settles each of them."""
    checkouts = checkouts_of_session(session.get("id"))
    if not checkouts:
        return "unknown-session"
    if session.get("status") == "complete" and session.get("payment_status") in (
        "paid",
        "no_payment_required",
    ):
        shared = len(checkouts) > 1
        return outcome_of([confirm_payment(c, session, shared=shared) for c in checkouts])
    if session.get("status") == "expired":
        return outcome_of([fail_checkout(c, StripeCheckout.Status.EXPIRED) for c in checkouts])
    return "waiting"


def confirm_payment(checkout, session, now=None, shared=False):
    """Stripe took the money for ``checkout``: record it once and move the order on. A
    ``shared`` session pays several orders: each is debited its own amount."""
    now = now or timezone.now()
    with transaction.atomic():
        checkout = StripeCheckout.objects.select_for_update().get(pk=checkout.pk)
        if checkout.status == StripeCheckout.Status.PAID:
            return "already-paid"
        order = Order.objects.select_for_update().get(pk=checkout.order_id)
        if checkout.purpose == StripeCheckout.Purpose.REST:
            return _confirm_rest(checkout, order, session, now)
        if shared:
            amount = checkout.amount
        else:
            amount = from_fen(session.get("amount_total") or to_fen(checkout.amount))
        payment_intent = session.get("payment_intent") or ""
        if isinstance(payment_intent, dict):
            payment_intent = payment_intent.get("id", "")
        checkout.status = StripeCheckout.Status.PAID
        checkout.payment_intent = payment_intent
        checkout.settled_at = now
        checkout.save(update_fields=["status", "payment_intent", "settled_at"])
        source = order.sources.select_for_update().filter(source_type__code=methods.STRIPE).first()
        if source is None:
            source = Source.objects.create(
                order=order,
                source_type=source_type(methods.STRIPE),
                currency=order.currency,
                amount_allocated=amount,
            )
        source.reference = payment_intent
        source.debit(amount, reference=payment_intent, status="paid")
        history.payment_event(
            order,
            history.EVENT_PAID_ONLINE,
            amount,
            reference=payment_intent,
            message=_("在线付款成功 ¥%(amount)s（Stripe %(ref)s）")
            % {"amount": amount, "ref": payment_intent},
        )
        if order.status != order_status.PENDING_PAYMENT:
            # Paid after we gave up on it (reservation ran out, buyer cancelled):
            # the stock may be gone, so the money goes straight back.
            history.note(order, _("付款到账时订单已取消，款项将全额退回。"))
            transaction.on_commit(lambda: _refund_late_payment(order.pk))
            return "refunding-late-payment"
        reservations.convert(order, now=now)
        life.paid_online(order, message=_("付款已确认，订单等待工作队确认。"))
        transaction.on_commit(lambda: send_confirmation(order.pk))
    return "paid"


def _payment_intent_of(session):
    payment_intent = session.get("payment_intent") or ""
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id", "")
    return payment_intent


def _confirm_rest(checkout, order, session, now):
    """The rest of an order (``REST``) was paid: marked paid once (the caller holds the row
    locked) and recorded by the order-life module on a payment source of its own, so a
    refund goes back through the payment it came from."""
    amount = from_fen(session.get("amount_total") or to_fen(checkout.amount))
    payment_intent = _payment_intent_of(session)
    checkout.status = StripeCheckout.Status.PAID
    checkout.payment_intent = payment_intent
    checkout.settled_at = now
    checkout.save(update_fields=["status", "payment_intent", "settled_at"])
    life.paid_rest_online(order, amount, payment_intent)
    return "paid-rest"


def _refund_late_payment(order_id):
    order = Order.objects.get(pk=order_id)
    try:
        refunds.refund_order(
            order, refunds.Refund.Reason.CANCELLED, user=None, note=_("付款时订单已过期")
        )
    except PaymentProblem:
        logger.exception("Order %s: late payment could not be refunded", order.number)


def fail_checkout(checkout, status, message=None):
    """The session ended without payment: cancel the still-unpaid order, free its stock."""
    with transaction.atomic():
        checkout = StripeCheckout.objects.select_for_update().get(pk=checkout.pk)
        if checkout.status == StripeCheckout.Status.PAID:
            return "ignored-already-paid"  # e.g. "expired" arriving after "completed"
        if checkout.status == StripeCheckout.Status.OPEN:
            checkout.status = status
            checkout.settled_at = timezone.now()
            checkout.save(update_fields=["status", "settled_at"])
        order = Order.objects.select_for_update().get(pk=checkout.order_id)
        if order.status != order_status.PENDING_PAYMENT:
            return "nothing-to-cancel"
        if order.stripe_checkouts.filter(status=StripeCheckout.Status.OPEN).exists():
            return "another-session-open"
        cancel_unpaid_order(order, message or failure_message(status))
    return "cancelled"


def failure_message(status):
    if status == StripeCheckout.Status.EXPIRED:
        return _("付款超时未完成，订单已取消，预留的商品已放回货架。")
    return _("付款没有成功，订单已取消，预留的商品已放回货架。")


def cancel_unpaid_order(order, message, user=None):
    life.cancel(order, user=user, message=message)


def on_reservation_expired(sender, order, now=None, **kwargs):
    """``shop.partner.reservations.order_reservation_expired`` (connected in
    ``PaymentConfig.ready``)."""
    return expire_order(order, now=now)


def expire_order(order, now=None):
    """The order's reservation ran out: close its sessions at Stripe and cancel it, unless
    Stripe says it was paid after all. Returns True when the order was cancelled."""
    order.refresh_from_db(fields=["status"])
    if order.status != order_status.PENDING_PAYMENT:
        reservations.release(list(order.stock_reservations.filter(state=reservations.HELD)))
        return False
    for checkout in order.stripe_checkouts.filter(status=StripeCheckout.Status.OPEN):
        try:
            session = retrieve_session(checkout.session_id)
            if session.get("status") == "open":
                session = as_dict(get_client().v1.checkout.sessions.expire(checkout.session_id))
        except stripe.StripeError as error:
            logger.warning("Order %s: cannot reach Stripe to expire: %s", order.number, error)
            return False  # try again on the next run
        if settle_session(session) == "paid":
            return False
        fail_checkout(checkout, StripeCheckout.Status.EXPIRED)
    order.refresh_from_db(fields=["status"])
    if order.status == order_status.PENDING_PAYMENT:
        cancel_unpaid_order(order, failure_message(StripeCheckout.Status.EXPIRED))
    return True


def close_session_for_cancel(order):
    """Before a buyer's cancel: make sure no open session can still take money. Returns
    True when Stripe reports the order paid (the caller then refunds instead)."""
    paid = False
    for checkout in order.stripe_checkouts.filter(status=StripeCheckout.Status.OPEN):
        try:
            session = as_dict(get_client().v1.checkout.sessions.expire(checkout.session_id))
        except stripe.InvalidRequestError:
            session = retrieve_session(checkout.session_id)
        outcome = settle_session(session) if session.get("status") == "complete" else None
        paid = paid or outcome == "paid"
        if session.get("status") == "expired":
            with transaction.atomic():
                # Every order the session was to pay (a split basket's parts) stops waiting on it.
                StripeCheckout.objects.filter(
                    session_id=checkout.session_id, status=StripeCheckout.Status.OPEN
                ).update(status=StripeCheckout.Status.EXPIRED, settled_at=timezone.now())
    return paid


# --- e-mail ----------------------------------------------------------------------------


def status_path(order):
    try:
        if order.user_id:
            return reverse("customer:order", kwargs={"order_number": order.number})
        return reverse(
            "customer:anon-order",
            kwargs={"order_number": order.number, "hash": order.verification_hash()},
        )
    except NoReverseMatch:
        return ""


def send_confirmation(order_id):
    """The order-placed text message and e-mail, sent once the payment is confirmed (not at
    "待付款"), by the checkout's own task (``shop.checkout.tasks.confirm_orders``)."""
    order = Order.objects.get(pk=order_id)
    checkout_tasks.queue_confirmations([order.pk], status_path=status_path(order))


def refill_basket(basket, order):
    """Put a cancelled unpaid order's goods back in the buyer's basket to try again."""
    for line in order.lines.select_related("product"):
        if line.product_id and line.product.is_public:
            basket.add_product(line.product, line.quantity)
