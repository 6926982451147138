"""Fixtures for payment tests: Stripe switched on against the fake, signed webhooks."""

import json
import time

import pytest
import stripe
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout.test_checkout import add_to_basket, who_collects  # noqa: F401 (shared here)
from tests.payment import fake_stripe

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

WEBHOOK_SECRET = "whsec_test_5b1c0e6fnongzhu"


@pytest.fixture
def stripe_fake(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_fake_nongzhu"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake_nongzhu"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_HTTP_CLIENT_FACTORY = "tests.payment.fake_stripe.current_client"
    fake_stripe.current = fake_stripe.FakeStripe()
    yield fake_stripe.current
    fake_stripe.current = None


def sign(payload, secret=WEBHOOK_SECRET, timestamp=None):
    """The ``Stripe-Signature`` header Stripe would send for ``payload``."""
    timestamp = int(timestamp or time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", secret)
    return f"t={timestamp},v1={signature}"


def event(event_type, obj, event_id=None):
    return {
        "id": event_id or f"evt_test_{obj['id']}_{event_type.replace('.', '_')}",
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }


def send_webhook(client, event_type, obj, event_id=None, secret=WEBHOOK_SECRET):
    payload = json.dumps(event(event_type, obj, event_id))
    return client.post(
        reverse("stripe-webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, secret),
    )


def checkout(client, point, method, email="guest@example.cn"):
    """Guest checkout up to placing the order; returns the place-order response."""
    client.post(reverse("checkout:index"), {"username": email, "options": "anonymous"})
    who_collects(client)
    client.post(
        reverse("checkout:shipping-method"), {"method_code": point.run_stops.get().shipping_code}
    )
    response = client.post(reverse("checkout:payment-method"), {"method": method})
    assert response.status_code == 302, response.content.decode()[:300]
    return client.post(reverse("checkout:preview"), {"action": "place_order"})


def stock_of(product):
    record = StockRecord.objects.get(product=product)
    return record.num_in_stock, record.num_allocated or 0
