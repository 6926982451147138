"""Buyers change their orders at the same moment, on PostgreSQL with real threads and
connections (issue 21): growing orders never take more stock than there is, nor more room
than the car has, and every buyer refused is told why; the run's loads and booked room
agree with the orders' lines afterwards.

Each racer changes their own order as the buyer's page does (``life.change_order``:
room taken with the run's conditional updates, stock with the conditional stock update,
the lines written by ``life.changed_by_buyer``)."""

from decimal import Decimal as D

import pytest
from oscar.core.loading import get_model

from fulfilment import runs, supply
from fulfilment.models import DeliveryRun, RunBooking
from shop.order import changes, life
from tests.catalogue.factories import product_in_stock
from tests.fulfilment.factories import PickupPointFactory, open_run_at
from tests.order.factories import make_order
from tests.partner.factories import TeamFactory
from tests.racing import postgres_only, racers  # noqa: F401  (postgres_only is a fixture)

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

BUYERS = 12

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]


def grow(order_id, to):
    order = Order.objects.select_related("run_link__run").get(pk=order_id)
    line = order.lines.get()
    try:
        life.change_order(order, {line.pk: str(to)}, [], "")
    except changes.ChangeRefused as refusal:
        return ("refused", refusal.messages)
    return ("changed", order.number)


def _check(results, *expected_refusal):
    """How many changed; every refusal names one of ``expected_refusal`` (the page's own
    check, or the conditional update that lost the race)."""
    outcomes = [kind for kind, _ in results]
    assert outcomes.count("error") == 0, [r for r in results if r[0] == "error"]
    refused = [messages for kind, messages in results if kind == "refused"]
    assert all(messages and all(messages) for messages in refused), refused
    assert all(
        any(expected in " ".join(messages) for expected in expected_refusal) for messages in refused
    ), refused
    return outcomes.count("changed")


def test_buyers_growing_their_orders_at_once_never_oversell_the_stock():
    team = TeamFactory(code="race-edit", name="改单工作队")
    point = PickupPointFactory(team=team)
    eggs = product_in_stock(team=team, title="土鸡蛋", stock=BUYERS + 5)
    run = open_run_at(point)
    orders = [make_order(run, [(eggs, 1)], email=f"b{n}@example.cn") for n in range(BUYERS)]
    with racers(BUYERS) as field:
        results = field.race(grow, [(order.pk, 3) for order in orders])  # each wants 2 more
    changed = _check(results, "只剩", "最多还能加")
    assert changed == 2  # 5 eggs were left: two buyers get 2 more, the third cannot
    record = StockRecord.objects.get(product=eggs)
    held = sum(order.lines.get().quantity for order in Order.objects.filter(run_link__run=run))
    assert held == BUYERS + 2 * changed
    assert record.num_allocated == held <= record.num_in_stock
    assert supply.sold_by_run([run.pk])[0][run.pk] == {eggs.pk: held}
    assert not RunBooking.objects.filter(run=run).exists()


def test_buyers_growing_their_orders_at_once_never_overload_the_car():
    team = TeamFactory(code="race-car", name="装车工作队")
    point = PickupPointFactory(team=team)
    chicken = product_in_stock(
        team=team, title="小笨鸡", stock=100_000, price=D("60"), weight_per_unit_g=1000
    )
    run = open_run_at(point, capacity_kg=D(BUYERS) + D("5"))
    orders = [make_order(run, [(chicken, 1)], email=f"c{n}@example.cn") for n in range(BUYERS)]
    with racers(BUYERS) as field:
        results = field.race(grow, [(order.pk, 3) for order in orders])  # 2 kg more each
    changed = _check(results, "只能再装约")
    assert changed == 2
    run = DeliveryRun.objects.get(pk=run.pk)
    quantities = {pid: qty for pid, qty in supply.sold_quantities(run).items() if qty}
    real_kg, _crates = runs.load_of(quantities, supply.products_by_id(quantities))
    assert real_kg == D(BUYERS + 2 * changed) <= run.capacity_kg
    assert run.booked_kg == real_kg
    assert not RunBooking.objects.filter(run=run).exists()
