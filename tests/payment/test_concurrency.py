"""50 buyers race for the last 5 units, on PostgreSQL with real threads and connections.

Each buyer has their own basket and goes through the same steps as the checkout:
reserve the basket's stock (the conditional UPDATE), then place the order on that
reservation with the shop's ``OrderCreator``. Run 20 times; every time exactly 5 are
sold, stock never goes negative, and the other 45 get a message naming the product
and no order.
"""

from decimal import Decimal as D

import pytest
from oscar.apps.shipping.methods import Free
from oscar.core.loading import get_class, get_model

from shop.partner import reservations
from tests.catalogue.factories import product_in_stock
from tests.partner.factories import TeamFactory
from tests.racing import postgres_only, racers  # noqa: F401  (postgres_only is a fixture)

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
StockReservation = get_model("partner", "StockReservation")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Selector = get_class("partner.strategy", "Selector")

BUYERS = 50
UNITS = 5
ROUNDS = 20

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]


def buy(basket_id):
    basket = Basket.objects.get(pk=basket_id)
    basket.strategy = Selector().strategy()
    try:
        held = reservations.reserve_basket(basket)
    except reservations.OutOfStock as shortage:
        return ("refused", shortage.messages)
    shipping = Free()
    charge = shipping.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    order = OrderCreator().place_order(
        basket=basket,
        total=total,
        shipping_method=shipping,
        shipping_charge=charge,
        user=None,
        guest_email=f"buyer{basket_id}@example.cn",
    )
    reservations.attach(held, order)
    reservations.convert(order)
    return ("bought", order.number)


def test_fifty_buyers_for_the_last_five_units_never_oversell():
    team = TeamFactory(code="race", name="赛跑工作队")
    with racers(BUYERS) as field:
        for round_number in range(ROUNDS):
            play_round(field, team, round_number)


def play_round(field, team, round_number):
    product = product_in_stock(
        team=team, title=f"散养土鸡蛋{round_number}", stock=UNITS, price=D("1.50")
    )
    baskets = []
    for _ in range(BUYERS):
        basket = Basket.objects.create()
        basket.strategy = Selector().strategy()
        basket.add_product(product, 1)
        baskets.append(basket.pk)
    results = field.race(buy, [(pk,) for pk in baskets])

    outcomes = [kind for kind, _ in results]
    assert outcomes.count("error") == 0, [r for r in results if r[0] == "error"]
    assert outcomes.count("bought") == UNITS
    assert outcomes.count("refused") == BUYERS - UNITS
    assert all(
        messages == [f"散养土鸡蛋{round_number}已经卖完了，请从购物车中删除。"]
        for kind, messages in results
        if kind == "refused"
    )
    record = StockRecord.objects.get(product=product)
    assert record.num_allocated == UNITS
    assert record.num_in_stock - record.num_allocated == 0
    assert Order.objects.filter(lines__product=product).count() == UNITS
    assert StockReservation.objects.filter(stockrecord=record).count() == UNITS
