"""Buyers cancel their own orders before the run's cut-off; the stock returns."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from shop.order import life
from shop.order import status as S
from tests.partner.factories import UserFactory
from tests.payment.conftest import add_to_basket, send_webhook, stock_of, who_collects

Order = get_model("order", "Order")
StripeCheckout = get_model("payment", "StripeCheckout")

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


def place(client, eggs, pickup_point, method="pay-on-pickup"):
    add_to_basket(client, eggs, 10)
    who_collects(client)
    client.post(
        reverse("checkout:shipping-method"),
        {"method_code": pickup_point.run_stops.get().shipping_code},
    )
    client.post(reverse("checkout:payment-method"), {"method": method})
    client.post(reverse("checkout:preview"), {"action": "place_order"})
    return Order.objects.get()


def test_buyer_sees_status_and_payments_and_cancels_before_cutoff(
    signed_in, customer, eggs, pickup_point, django_assert_max_num_queries
):
    order = place(signed_in, eggs, pickup_point)
    url = reverse("customer:order", kwargs={"order_number": order.number})
    with django_assert_max_num_queries(60):
        page = signed_in.get(url).content.decode()
    assert "待确认" in page and "取货时付款" in page and 'data-testid="cancel-order"' in page

    response = signed_in.post(reverse("payment:cancel-order", args=[order.number]), follow=True)

    order.refresh_from_db()
    assert order.status == "已取消"
    assert stock_of(eggs) == (100, 0)
    assert order.status_changes.filter(new_status="已取消").exists()
    assert order.notes.get(message__contains="买家在截单前取消").user == customer
    page = response.content.decode()
    assert "已取消" in page and 'data-testid="cancel-order"' not in page

    again = signed_in.post(reverse("payment:cancel-order", args=[order.number]), follow=True)
    assert "订单已经取消了" in again.content.decode()
    assert stock_of(eggs) == (100, 0)


def test_no_cancel_after_the_run_cutoff(signed_in, eggs, pickup_point):
    order = place(signed_in, eggs, pickup_point)
    run = order.run_link.run
    type(run).objects.filter(pk=run.pk).update(cutoff=timezone.now() - timedelta(minutes=1))

    response = signed_in.post(reverse("payment:cancel-order", args=[order.number]), follow=True)

    assert "已截单" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "待确认"
    assert stock_of(eggs) == (100, 10)


def test_someone_else_cannot_cancel_my_order(client, signed_in, eggs, pickup_point):
    order = place(signed_in, eggs, pickup_point)
    client.logout()
    client.force_login(UserFactory(username="stranger"))
    assert client.post(reverse("payment:cancel-order", args=[order.number])).status_code == 404
    order.refresh_from_db()
    assert order.status == "待确认"


def test_cancelling_a_paid_online_order_refunds_it(signed_in, eggs, pickup_point, stripe_fake):
    order = place(signed_in, eggs, pickup_point, method="stripe")
    send_webhook(
        signed_in,
        "checkout.session.completed",
        stripe_fake.pay(StripeCheckout.objects.get().session_id),
    )

    signed_in.post(reverse("payment:cancel-order", args=[order.number]))

    order.refresh_from_db()
    assert order.status == "已取消"
    assert stock_of(eggs) == (100, 0)
    assert order.sources.get().amount_refunded == D("15.00")
    assert order.refunds.get().reason == "cancelled"


def test_cancelling_while_payment_is_open_closes_the_stripe_session(
    signed_in, eggs, pickup_point, stripe_fake
):
    order = place(signed_in, eggs, pickup_point, method="stripe")
    signed_in.post(reverse("payment:cancel-order", args=[order.number]))
    order.refresh_from_db()
    assert order.status == "已取消"
    assert stripe_fake.sessions[StripeCheckout.objects.get().session_id]["status"] == "expired"
    assert stock_of(eggs) == (100, 0)


def test_guest_cancels_from_the_order_status_link(client, eggs, pickup_point):
    from tests.payment.conftest import checkout

    add_to_basket(client, eggs, 10)
    checkout(client, pickup_point, "pay-on-pickup")
    order = Order.objects.get()
    session = client.session
    session["anon_order_email"] = "guest@example.cn"  # confirmed on Oscar's order-status form
    session.save()
    link = reverse(
        "customer:anon-order",
        kwargs={"order_number": order.number, "hash": order.verification_hash()},
    )
    page = client.get(link).content.decode()
    assert 'data-testid="cancel-order"' in page

    forged = client.post(reverse("payment:cancel-order", args=[order.number]), {"hash": "nope"})
    assert forged.status_code == 404
    client.post(
        reverse("payment:cancel-order", args=[order.number]), {"hash": order.verification_hash()}
    )

    order.refresh_from_db()
    assert order.status == "已取消"
    assert stock_of(eggs) == (100, 0)


def test_team_cancelling_a_line_in_the_dashboard_returns_its_stock(client, eggs, pickup_point):
    from tests.payment.conftest import checkout

    add_to_basket(client, eggs, 10)
    checkout(client, pickup_point, "pay-on-pickup")
    order = Order.objects.get()
    line = order.lines.get()

    life.lines_by_hand(order, [line], S.CANCELLED)
    line.refresh_from_db()
    life.lines_by_hand(order, [line], S.CANCELLED)  # twice: the stock comes back once

    assert stock_of(eggs) == (100, 0)
