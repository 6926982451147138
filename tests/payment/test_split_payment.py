"""One online payment for a basket split per team: one Stripe session with a line per
order, and its webhook marks every order paid, each with its own amount; a refund on one
order touches only that order."""

from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order import life, money
from shop.payment import refunds
from tests.checkout.test_split_checkout import BUYER, choices, fill_basket
from tests.payment.conftest import send_webhook, stock_of

Order = get_model("order", "Order")
StripeCheckout = get_model("payment", "StripeCheckout")

pytestmark = pytest.mark.django_db


def pay_online(client, team, other_team, run, veg_run, eggs, veg):
    fill_basket(client, eggs, veg)
    data = {**BUYER, **choices(team, run, other_team, veg_run), "method": "stripe"}
    response = client.post(reverse("checkout:confirm"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def test_one_session_pays_both_parts_and_the_webhook_marks_both_paid(
    client,
    team,
    other_team,
    run,
    veg_run,
    eggs,
    veg,
    stripe_fake,
    django_capture_on_commit_callbacks,
):
    response = pay_online(client, team, other_team, run, veg_run, eggs, veg)

    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    eggs_order = Order.objects.get(lines__product=eggs)
    veg_order = Order.objects.get(lines__product=veg)
    assert {eggs_order.status, veg_order.status} == {"待付款"}
    sent = stripe_fake.last("/v1/checkout/sessions")["params"]
    assert len(stripe_fake.sessions) == 1
    amounts = sorted(item["price_data"]["unit_amount"] for item in sent["line_items"].values())
    assert amounts == ["1500", "800"]
    assert set(sent["metadata"]["order_numbers"].split(",")) == {
        eggs_order.number,
        veg_order.number,
    }
    rows = StripeCheckout.objects.order_by("order__number")
    assert len({row.session_id for row in rows}) == 1 and rows.count() == 2
    assert mail.outbox == []  # the confirmation waits for the money

    session = stripe_fake.pay(rows[0].session_id)
    assert session["amount_total"] == 2300
    with django_capture_on_commit_callbacks(execute=True):
        answer = send_webhook(client, "checkout.session.completed", session)

    assert answer.json() == {"outcome": "paid"}
    for order, amount in ((eggs_order, D("15.00")), (veg_order, D("8.00"))):
        order.refresh_from_db()
        assert order.status == "待确认"
        source = order.sources.get()
        assert source.amount_debited == amount
        assert source.reference == session["payment_intent"]
        assert money.of(order).settled
    assert stock_of(eggs) == (100, 10) and stock_of(veg) == (30, 2)
    assert len(mail.outbox) == 1  # one e-mail listing both parts
    assert eggs_order.number in mail.outbox[0].body and veg_order.number in mail.outbox[0].body

    # the session reported paid once more (Stripe's async event) changes nothing
    again = send_webhook(client, "checkout.session.async_payment_succeeded", session)
    assert again.json() == {"outcome": "already-paid"}
    assert veg_order.sources.get().amount_debited == D("8.00")

    # a refund on one part touches only that part, from the shared payment
    life.refund_order(veg_order, refunds.Refund.Reason.CANCELLED)
    money.forget(veg_order)
    money.forget(eggs_order)
    assert [r["amount"] for r in stripe_fake.refunds.values()] == [800]
    assert money.of(eggs_order).settled and money.of(eggs_order).refunds_paid == 0


def test_an_expired_session_cancels_every_part_and_gives_all_stock_back(
    client, team, other_team, run, veg_run, eggs, veg, stripe_fake
):
    pay_online(client, team, other_team, run, veg_run, eggs, veg)
    session = stripe_fake.expire(StripeCheckout.objects.first().session_id)

    send_webhook(client, "checkout.session.expired", session)

    assert set(Order.objects.values_list("status", flat=True)) == {"已取消"}
    assert stock_of(eggs) == (100, 0) and stock_of(veg) == (30, 0)


def test_buyer_back_from_stripe_without_paying_cancels_every_part(
    client, team, other_team, run, veg_run, eggs, veg, stripe_fake
):
    pay_online(client, team, other_team, run, veg_run, eggs, veg)

    response = client.get(reverse("payment:stripe-cancel"))

    assert response["Location"] == reverse("basket:summary")
    assert set(Order.objects.values_list("status", flat=True)) == {"已取消"}
    assert stock_of(eggs) == (100, 0) and stock_of(veg) == (30, 0)
    basket = client.get(reverse("basket:summary")).content.decode()
    assert "散养土鸡蛋" in basket and "柳河小白菜" in basket
