"""Stripe webhook events, acted on once each.

The view (``shop.payment.views.stripe_webhook``) only checks the signature with
``stripe.WebhookSignature.verify_header`` and hands the body here: ``parse_event``
refuses a body that is not an event object (the view answers 400; a correctly signed
``[]`` or an event whose ``data.object`` is a string must not become a 500). Each event id is
stored in ``ProcessedStripeEvent`` in the same transaction as its effects: a repeat
finds the row and does nothing; a failure rolls both back, the view answers 500 and
Stripe sends the event again later.

Order does not matter: a session's state only moves forward (open → paid, or open →
expired/failed), so "expired" arriving after "completed" leaves the paid order alone,
and "completed" arriving after the order was cancelled refunds the money.
"""

import json
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from oscar.core.loading import get_model

from shop.order import history, life
from shop.payment import refunds, stripe_gateway

logger = logging.getLogger(__name__)

ProcessedStripeEvent = get_model("payment", "ProcessedStripeEvent")
StripeCheckout = get_model("payment", "StripeCheckout")


def _session_completed(session):
    return stripe_gateway.settle_session(session)


def _fail_session(session, status):
    """Every order the session was to pay (a split basket's parts) is given up on."""
    checkouts = stripe_gateway.checkouts_of_session(session.get("id"))
    if not checkouts:
        return "unknown-session"
    return stripe_gateway.outcome_of(
        [stripe_gateway.fail_checkout(checkout, status) for checkout in checkouts]
    )


def _session_async_failed(session):
    return _fail_session(session, StripeCheckout.Status.FAILED)


def _session_expired(session):
    return _fail_session(session, StripeCheckout.Status.EXPIRED)


def _payment_failed(intent):
    """One attempt failed (declined card); the session stays open for another try and
    its expiry cancels the order if none succeeds."""
    checkout = StripeCheckout.objects.filter(payment_intent=intent.get("id")).first()
    if checkout is None:
        number = (intent.get("metadata") or {}).get("order_number")
        checkout = StripeCheckout.objects.filter(order__number=number).first() if number else None
    if checkout is None:
        return "unknown-payment"

    error = (intent.get("last_payment_error") or {}).get("message") or ""
    history.note(checkout.order, f"在线付款未成功，买家可重试。{error}".strip())
    return "noted"


def _refund_changed(refund):
    result = refunds.update_from_stripe(refund)
    changed = refunds.Refund.objects.filter(stripe_refund_id=refund.get("id") or "-").first()
    if changed is not None:
        life.refunds_changed(changed.order)
    return result


HANDLERS = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _session_completed,
    "checkout.session.async_payment_failed": _session_async_failed,
    "checkout.session.expired": _session_expired,
    "payment_intent.payment_failed": _payment_failed,
    "refund.created": _refund_changed,
    "refund.updated": _refund_changed,
    "refund.failed": _refund_changed,
    # Stripe's older name for refund.updated; an endpoint may be subscribed to either.
    "charge.refund.updated": _refund_changed,
}


class MalformedEvent(ValueError):
    """A signed body that is not a Stripe event: nothing to act on, nothing stored."""


def parse_event(payload):
    """The event in ``payload`` (JSON text) as a dict, or ``MalformedEvent``."""
    if "\\u0000" in payload or "\x00" in payload:
        raise MalformedEvent("body holds a NUL, which no Stripe id or text has")
    try:
        event = json.loads(payload)
    except ValueError as error:
        raise MalformedEvent("body is not JSON") from error
    if not isinstance(event, dict):
        raise MalformedEvent("event is not an object")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEvent("event data.object is not an object")
    if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise MalformedEvent("event id or type is not a string")
    obj = data["object"]
    # the fields the handlers read, in the types Stripe documents
    if not isinstance(obj.get("id", ""), str):
        raise MalformedEvent("data.object.id is not a string")
    for key in ("metadata", "last_payment_error"):
        if obj.get(key) is not None and not isinstance(obj[key], dict):
            raise MalformedEvent(f"data.object.{key} is not an object")
    if not all(isinstance(value, str) for value in (obj.get("metadata") or {}).values()):
        raise MalformedEvent("data.object.metadata holds a value that is not a string")
    return event


def handle_event(event):
    """Process one verified event (a dict); return the outcome (also stored)."""
    event_id = event.get("id") or ""
    event_type = event.get("type") or ""
    obj = (event.get("data") or {}).get("object") or {}
    handler = HANDLERS.get(event_type)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ProcessedStripeEvent.objects.create(
                    event_id=event_id,
                    type=event_type,
                    object_id=str(obj.get("id", ""))[:255],
                )
        except IntegrityError:
            return "duplicate"
        outcome = handler(obj) if handler else "ignored"
        record.outcome = outcome[:200]
        record.processed_at = timezone.now()
        record.save(update_fields=["outcome", "processed_at"])
    logger.info("Stripe event %s %s: %s", event_id, event_type, outcome)
    return outcome
