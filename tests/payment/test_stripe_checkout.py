"""Online payment through Stripe Checkout, end to end through the test client.

Stripe is the fake in ``fake_stripe`` plugged into the real library; webhooks are
signed the way Stripe signs them.
"""

import re
from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from tests.partner.factories import UserFactory
from tests.payment.conftest import add_to_basket, checkout, send_webhook, stock_of, who_collects

Order = get_model("order", "Order")
StripeCheckout = get_model("payment", "StripeCheckout")
ProcessedStripeEvent = get_model("payment", "ProcessedStripeEvent")

pytestmark = pytest.mark.django_db


def start_online_order(client, eggs, pickup_point, quantity=10):
    add_to_basket(client, eggs, quantity)
    response = checkout(client, pickup_point, "stripe")
    assert response.status_code == 302, response.content.decode()[:500]
    return response, Order.objects.get()


def test_without_keys_online_payment_is_not_offered(client, eggs, pickup_point, settings):
    settings.STRIPE_SECRET_KEY = ""
    add_to_basket(client, eggs, 2)
    client.post(reverse("checkout:index"), {"username": "g@example.cn", "options": "anonymous"})
    who_collects(client)
    client.post(
        reverse("checkout:shipping-method"),
        {"method_code": pickup_point.run_stops.get().shipping_code},
    )
    page = client.get(reverse("checkout:payment-method")).content.decode()
    assert "取货时付款" in page
    assert "在线支付" not in page
    assert re.search(
        r'<input[^>]*value="pay-on-pickup"[^>]*checked', page
    )  # the only way, already ticked
    response = client.post(reverse("checkout:payment-method"), {"method": "stripe"})
    assert response.status_code == 200  # refused, the form shows again
    assert Order.objects.count() == 0


def test_dashboard_says_online_payment_is_off(client, settings, db):
    settings.STRIPE_SECRET_KEY = ""
    staff = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "在线支付未开启" in page


def test_dashboard_is_quiet_when_online_payment_is_on(client, stripe_fake, db):
    staff = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert "在线支付未开启" not in client.get(reverse("dashboard:index")).content.decode()


def test_order_waits_for_payment_with_stock_held_and_buyer_goes_to_stripe(
    client, eggs, pickup_point, stripe_fake
):
    response, order = start_online_order(client, eggs, pickup_point)

    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert order.status == "待付款"
    assert set(order.lines.values_list("status", flat=True)) == {"待付款"}
    assert stock_of(eggs) == (100, 10)
    sent = stripe_fake.last("/v1/checkout/sessions")["params"]
    assert sent["line_items"]["0"]["price_data"]["currency"] == "cny"
    assert sent["line_items"]["0"]["price_data"]["unit_amount"] == "1500"
    assert sorted(sent["payment_method_types"].values()) == ["alipay", "card", "wechat_pay"]
    assert sent["payment_method_options"]["wechat_pay"]["client"] == "web"
    assert sent["client_reference_id"] == order.number
    assert mail.outbox == []  # the confirmation waits for the money


def test_webhook_confirms_payment_even_if_buyer_closed_the_tab(
    client, eggs, pickup_point, stripe_fake, django_capture_on_commit_callbacks
):
    _, order = start_online_order(client, eggs, pickup_point)
    session = stripe_fake.pay(StripeCheckout.objects.get().session_id)

    with django_capture_on_commit_callbacks(execute=True):
        response = send_webhook(client, "checkout.session.completed", session)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "待确认"
    source = order.sources.get()
    assert source.amount_debited == D("15.00")
    assert source.reference == session["payment_intent"]
    event = order.payment_events.get(event_type__name="在线付款")
    assert event.amount == D("15.00")
    assert order.status_changes.filter(old_status="待付款", new_status="待确认").exists()
    assert stock_of(eggs) == (100, 10)
    assert order.stock_reservations.get().state == "converted"
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject + mail.outbox[0].body


def test_return_page_confirms_too_and_webhook_afterwards_changes_nothing(
    client, eggs, pickup_point, stripe_fake
):
    _, order = start_online_order(client, eggs, pickup_point)
    checkout_row = StripeCheckout.objects.get()
    session = stripe_fake.pay(checkout_row.session_id)

    response = client.get(reverse("payment:stripe-return") + f"?session_id={session['id']}")
    assert response["Location"].endswith(reverse("checkout:thank-you"))
    order.refresh_from_db()
    assert order.status == "待确认"

    assert send_webhook(client, "checkout.session.completed", session).json() == {
        "outcome": "already-paid"
    }
    assert order.sources.get().amount_debited == D("15.00")
    assert order.payment_events.filter(event_type__name="在线付款").count() == 1


def test_duplicate_webhook_is_processed_once(client, eggs, pickup_point, stripe_fake):
    _, order = start_online_order(client, eggs, pickup_point)
    session = stripe_fake.pay(StripeCheckout.objects.get().session_id)

    first = send_webhook(client, "checkout.session.completed", session, event_id="evt_1")
    again = send_webhook(client, "checkout.session.completed", session, event_id="evt_1")

    assert first.json() == {"outcome": "paid"}
    assert again.json() == {"outcome": "duplicate"}
    assert ProcessedStripeEvent.objects.filter(event_id="evt_1").count() == 1
    assert order.sources.get().amount_debited == D("15.00")
    assert order.payment_events.count() == 1


def test_expired_session_cancels_order_and_returns_stock(client, eggs, pickup_point, stripe_fake):
    _, order = start_online_order(client, eggs, pickup_point)
    session = stripe_fake.expire(StripeCheckout.objects.get().session_id)

    assert send_webhook(client, "checkout.session.expired", session).json() == {
        "outcome": "cancelled"
    }

    order.refresh_from_db()
    assert order.status == "已取消"
    assert stock_of(eggs) == (100, 0)
    assert order.sources.get().amount_debited == 0
    assert "付款超时" in order.notes.last().message


def test_async_payment_failure_cancels_order(client, eggs, pickup_point, stripe_fake):
    _, order = start_online_order(client, eggs, pickup_point)
    session = stripe_fake.sessions[StripeCheckout.objects.get().session_id]
    session.update(status="complete", payment_status="unpaid")

    send_webhook(client, "checkout.session.completed", session)
    order.refresh_from_db()
    assert order.status == "待付款"  # Stripe is still waiting for the money

    send_webhook(client, "checkout.session.async_payment_failed", session)
    order.refresh_from_db()
    assert order.status == "已取消"
    assert stock_of(eggs) == (100, 0)


def test_declined_card_leaves_the_session_open_for_another_try(
    client, eggs, pickup_point, stripe_fake
):
    _, order = start_online_order(client, eggs, pickup_point)
    intent = {
        "id": "pi_test_declined",
        "object": "payment_intent",
        "status": "requires_payment_method",
        "metadata": {"order_number": order.number},
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
    }
    assert send_webhook(client, "payment_intent.payment_failed", intent).json() == {
        "outcome": "noted"
    }
    order.refresh_from_db()
    assert order.status == "待付款"
    assert stock_of(eggs) == (100, 10)


def test_expired_arriving_after_completed_does_not_cancel_a_paid_order(
    client, eggs, pickup_point, stripe_fake
):
    _, order = start_online_order(client, eggs, pickup_point)
    session = stripe_fake.pay(StripeCheckout.objects.get().session_id)
    send_webhook(client, "checkout.session.completed", session)

    stale = dict(session, status="expired", payment_status="unpaid")
    outcome = send_webhook(client, "checkout.session.expired", stale).json()

    assert outcome == {"outcome": "ignored-already-paid"}
    order.refresh_from_db()
    assert order.status == "待确认"
    assert stock_of(eggs) == (100, 10)


def test_payment_landing_after_the_order_was_cancelled_is_refunded(
    client, eggs, pickup_point, stripe_fake, django_capture_on_commit_callbacks
):
    _, order = start_online_order(client, eggs, pickup_point)
    session_id = StripeCheckout.objects.get().session_id
    send_webhook(
        client, "checkout.session.expired", dict(stripe_fake.sessions[session_id], status="expired")
    )
    paid = stripe_fake.pay(session_id)

    with django_capture_on_commit_callbacks(execute=True):
        send_webhook(client, "checkout.session.completed", paid)

    order.refresh_from_db()
    assert order.status == "已取消"
    assert stock_of(eggs) == (100, 0)
    source = order.sources.get()
    assert source.amount_debited == D("15.00")
    assert source.amount_refunded == D("15.00")
    assert stripe_fake.last("/v1/refunds")["params"]["amount"] == "1500"


@pytest.mark.parametrize("signature", ["", "t=1,v1=deadbeef", "garbage"])
def test_forged_webhook_is_rejected_and_changes_nothing(
    client, eggs, pickup_point, stripe_fake, signature
):
    import json

    _, order = start_online_order(client, eggs, pickup_point)
    session = stripe_fake.pay(StripeCheckout.objects.get().session_id)
    payload = json.dumps(
        {"id": "evt_forged", "type": "checkout.session.completed", "data": {"object": session}}
    )
    response = client.post(
        reverse("stripe-webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == "待付款"
    assert order.sources.get().amount_debited == 0
    assert not ProcessedStripeEvent.objects.exists()


def test_webhook_signed_with_another_secret_is_rejected(client, eggs, pickup_point, stripe_fake):
    _, order = start_online_order(client, eggs, pickup_point)
    session = stripe_fake.pay(StripeCheckout.objects.get().session_id)
    response = send_webhook(
        client, "checkout.session.completed", session, secret="whsec_someone_else"
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == "待付款"


def test_buyer_who_gives_up_on_stripe_gets_the_basket_back(client, eggs, pickup_point, stripe_fake):
    _, order = start_online_order(client, eggs, pickup_point)

    response = client.get(reverse("payment:stripe-cancel"), follow=True)

    order.refresh_from_db()
    assert order.status == "已取消"
    assert stock_of(eggs) == (100, 0)
    session = stripe_fake.sessions[StripeCheckout.objects.get().session_id]
    assert session["status"] == "expired"  # it can no longer take money
    page = response.content.decode()
    assert "已取消" in page and order.number in page
    assert response.context["basket"].num_items == 10


def test_stripe_unreachable_when_starting_payment_releases_stock_with_a_message(
    client, eggs, pickup_point, stripe_fake
):
    stripe_fake.down = True
    add_to_basket(client, eggs, 10)
    response = checkout(client, pickup_point, "stripe")

    assert response["Location"].endswith(reverse("basket:summary"))
    order = Order.objects.get()
    assert order.status == "已取消"
    assert stock_of(eggs) == (100, 0)
    page = client.get(response["Location"]).content.decode()
    assert "在线支付暂时连不上" in page


def test_someone_elses_return_page_is_not_found(client, eggs, pickup_point, stripe_fake):
    start_online_order(client, eggs, pickup_point)
    from django.test import Client

    stranger = Client()
    assert stranger.get(reverse("payment:stripe-cancel")).status_code == 404
    assert Order.objects.get().status == "待付款"


def test_the_order_confirmation_page_sends_an_online_payment_to_stripe(
    client, eggs, pickup_point, stripe_fake
):
    add_to_basket(client, eggs, 10)
    assert 'value="stripe"' in client.get(reverse("checkout:confirm")).content.decode()

    data = {
        "first_name": "林小满",
        "phone_number": "13812345678",
        "guest_email": "lin@example.cn",
        "method_code": pickup_point.run_stops.get().shipping_code,
        "method": "stripe",
    }
    response = client.post(reverse("checkout:confirm"), data)

    assert response.status_code == 302
    assert re.match(r"https://checkout\.stripe\.com/", response["Location"])
    order = Order.objects.get()
    assert order.status == "待付款"
    assert stock_of(eggs) == (100, 10)  # held until paid or the session expires
