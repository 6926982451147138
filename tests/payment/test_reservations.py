"""Stock is held before payment, never goes below zero, and comes back when unpaid."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from oscar.apps.checkout.signals import pre_payment
from oscar.core.loading import get_model

from shop.partner import reservations
from tests.catalogue.factories import product_in_stock
from tests.payment.conftest import add_to_basket, checkout, stock_of

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
StockReservation = get_model("partner", "StockReservation")
StripeCheckout = get_model("payment", "StripeCheckout")

pytestmark = pytest.mark.django_db


def test_pay_on_pickup_order_allocates_exactly_once(client, eggs, pickup_point):
    add_to_basket(client, eggs, 10)
    response = checkout(client, pickup_point, "pay-on-pickup")
    assert response["Location"].endswith(reverse("checkout:thank-you"))
    assert stock_of(eggs) == (100, 10)
    order = Order.objects.get()
    assert order.stock_reservations.get().state == "converted"


def test_last_units_taken_meanwhile_refuses_the_order_naming_the_product(
    client, eggs, pickup_point
):
    add_to_basket(client, eggs, 10)

    def another_buyer_is_faster(**kwargs):
        # Between the last availability check and placing the order, 97 eggs go.
        StockRecord.objects.filter(product=eggs).update(num_allocated=97)

    pre_payment.connect(another_buyer_is_faster, dispatch_uid="test-race")
    try:
        response = checkout(client, pickup_point, "pay-on-pickup")
    finally:
        pre_payment.disconnect(dispatch_uid="test-race")

    assert response.status_code == 200
    assert "散养土鸡蛋只剩 3 枚了" in response.content.decode()
    assert Order.objects.count() == 0
    assert stock_of(eggs) == (100, 97)
    assert not StockReservation.objects.exists()


def test_one_short_line_takes_nothing_from_the_others(client, eggs, team, pickup_point):
    chicken = product_in_stock(team=team, title="散养小笨鸡", stock=2, unit="zhi")
    add_to_basket(client, eggs, 10)
    add_to_basket(client, chicken, 2)

    def another_buyer_is_faster(**kwargs):
        StockRecord.objects.filter(product=chicken).update(num_allocated=1)

    pre_payment.connect(another_buyer_is_faster, dispatch_uid="test-race")
    try:
        response = checkout(client, pickup_point, "pay-on-pickup")
    finally:
        pre_payment.disconnect(dispatch_uid="test-race")

    assert "散养小笨鸡只剩 1 只了" in response.content.decode()
    assert stock_of(eggs) == (100, 0)
    assert stock_of(chicken) == (2, 1)


def test_reserve_refuses_sold_out_with_a_clear_message(eggs):
    basket = factories_basket_with(eggs, 5)
    StockRecord.objects.filter(product=eggs).update(num_allocated=100)
    with pytest.raises(reservations.OutOfStock) as refused:
        reservations.reserve_basket(basket)
    assert refused.value.messages == ["散养土鸡蛋已经卖完了，请从购物车中删除。"]


def factories_basket_with(product, quantity):
    from oscar.apps.partner.strategy import Default
    from oscar.core.loading import get_model

    basket = get_model("basket", "Basket").objects.create()
    basket.strategy = Default()
    basket.add_product(product, quantity)
    return basket


def test_orphan_reservation_expires_and_stock_returns(eggs):
    basket = factories_basket_with(eggs, 7)
    reservations.reserve_basket(basket)
    assert stock_of(eggs) == (100, 7)

    assert reservations.release_expired(now=timezone.now() + timedelta(minutes=29)) == 0
    assert stock_of(eggs) == (100, 7)
    assert reservations.release_expired(now=timezone.now() + timedelta(minutes=31)) == 1
    assert stock_of(eggs) == (100, 0)
    assert reservations.release_expired(now=timezone.now() + timedelta(minutes=40)) == 0
    assert stock_of(eggs) == (100, 0)


def test_an_expired_hold_in_the_way_of_a_new_basket_is_settled_at_once(eggs):
    stale = factories_basket_with(eggs, 95)
    reservations.reserve_basket(stale)
    StockReservation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    fresh = factories_basket_with(eggs, 10)

    held = reservations.reserve_basket(fresh)  # 95 + 10 > 100: the stale hold goes first

    assert [r.quantity for r in held] == [10]
    assert stock_of(eggs) == (100, 10)
    with pytest.raises(reservations.OutOfStock):  # a live hold is never taken over
        reservations.reserve_basket(factories_basket_with(eggs, 91))
    assert stock_of(eggs) == (100, 10)


def test_unpaid_online_order_expires_by_command_closes_session_and_frees_stock(
    client, eggs, pickup_point, stripe_fake
):
    add_to_basket(client, eggs, 10)
    checkout(client, pickup_point, "stripe")
    order = Order.objects.get()
    StockReservation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    call_command("release_expired_reservations")

    order.refresh_from_db()
    assert order.status == "已取消"
    assert stock_of(eggs) == (100, 0)
    assert stripe_fake.sessions[StripeCheckout.objects.get().session_id]["status"] == "expired"
    assert "付款超时" in order.notes.last().message


def test_expiry_finds_a_last_second_payment_and_keeps_the_order(
    client, eggs, pickup_point, stripe_fake
):
    add_to_basket(client, eggs, 10)
    checkout(client, pickup_point, "stripe")
    stripe_fake.pay(StripeCheckout.objects.get().session_id)
    StockReservation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    reservations.release_expired()

    order = Order.objects.get()
    assert order.status == "待确认"
    assert stock_of(eggs) == (100, 10)


def test_expired_reservations_are_released_when_someone_else_reserves(
    client, eggs, pickup_point, stripe_fake
):
    StockRecord.objects.filter(product=eggs).update(num_in_stock=10)
    add_to_basket(client, eggs, 10)
    checkout(client, pickup_point, "stripe")
    assert stock_of(eggs) == (10, 10)
    StockReservation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    basket = factories_basket_with(eggs, 10)
    reservations.reserve_basket(basket)  # would fail if the stale hold still counted

    assert Order.objects.get().status == "已取消"
    assert stock_of(eggs) == (10, 10)
