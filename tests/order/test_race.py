"""50 buyers race for the last room in one run's car, on PostgreSQL with real threads and
connections, 20 rounds: the car is never loaded beyond its capacity, and every buyer
who is refused is told why.

Each buyer has their own basket and places it as checkout does (``place_on_run``: room,
stock, Oscar's ``OrderCreator``, the run link). Every round a new run has room for
5 kg more than it already carries; buyers want 1 or 2 kg (a chicken of 1 kg, or two).
"""

from decimal import Decimal as D

import pytest
from oscar.core.loading import get_class, get_model

from fulfilment import runs, supply
from fulfilment.models import DeliveryRun, RunBooking
from fulfilment.runs import RunChoice
from shop.order.placement import Refused, place_on_run
from shop.shipping.methods import PickupOnRun
from tests.catalogue.factories import product_in_stock
from tests.fulfilment.factories import PickupPointFactory, open_run_at
from tests.order.factories import make_order
from tests.partner.factories import TeamFactory
from tests.racing import postgres_only, racers  # noqa: F401  (postgres_only is a fixture)

Basket = get_model("basket", "Basket")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Selector = get_class("partner.strategy", "Selector")

BUYERS = 50
ROUNDS = 20
ROOM_LEFT_KG = D("5")

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]


def buy(basket_id, stop):
    basket = Basket.objects.get(pk=basket_id)
    basket.strategy = Selector().strategy()
    method = PickupOnRun(stop)
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    try:
        order = place_on_run(
            method.choice,
            basket,
            lambda: OrderCreator().place_order(
                basket=basket,
                total=total,
                shipping_method=method,
                shipping_charge=charge,
                user=None,
                guest_email=f"buyer{basket_id}@example.cn",
            ),
        )
    except Refused as refusal:
        return ("refused", refusal.messages)
    return ("bought", order.number)


def test_fifty_buyers_for_the_last_room_never_overload_the_car():
    team = TeamFactory(code="race-run", name="赛跑工作队")
    point = PickupPointFactory(team=team)
    chicken = product_in_stock(
        team=team, title="小笨鸡", stock=100_000, price=D("60"), weight_per_unit_g=1000
    )
    with racers(BUYERS) as field:
        for round_number in range(ROUNDS):
            play_round(field, point, chicken, round_number)


def play_round(field, point, chicken, round_number):
    run = open_run_at(point, capacity_kg=D("12") + ROOM_LEFT_KG)
    make_order(run, [(chicken, 12)])  # already on the run: 12 kg
    stop = run.stops.get()
    baskets = []
    for n in range(BUYERS):
        basket = Basket.objects.create()
        basket.strategy = Selector().strategy()
        basket.add_product(chicken, 1 + (n + round_number) % 2)
        baskets.append(basket.pk)
    results = field.race(buy, [(pk, stop) for pk in baskets])

    outcomes = [kind for kind, _ in results]
    assert outcomes.count("error") == 0, [r for r in results if r[0] == "error"]
    assert outcomes.count("bought") >= 2  # 5 kg left: at least two 2 kg orders fit
    refused = [messages for kind, messages in results if kind == "refused"]
    assert len(refused) == BUYERS - outcomes.count("bought")
    assert all(messages and all(messages) for messages in refused), refused
    assert all("只能再装约" in " ".join(messages) for messages in refused), refused

    run = DeliveryRun.objects.get(pk=run.pk)
    quantities = {pid: qty for pid, qty in supply.sold_quantities(run).items() if qty}
    real_kg, _crates = runs.load_of(quantities, supply.products_by_id(quantities))
    assert real_kg <= run.capacity_kg
    assert run.booked_kg == real_kg
    assert run.capacity_kg - real_kg <= 1  # the car was filled, not left half empty
    assert supply.sold_by_run([run.pk])[0][run.pk] == quantities
    assert not RunBooking.objects.filter(run=run).exists()
    assert RunChoice.from_code(stop.shipping_code).run_id == run.pk
