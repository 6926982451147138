"""On PostgreSQL, placing an order takes the room on the run and the stock each in ONE
statement that is a transaction of its own (``shop.core.sql.run_statement_or_refuse``): no row
lock outlives the statement, a refusal changes nothing, and the connection's later
commits (the order's) still wait for the disk."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_model

from fulfilment import runs, supply
from fulfilment.models import DeliveryRun, RunBooking
from fulfilment.runs import RunChoice
from shop.partner import reservations
from tests.catalogue.factories import HouseholdFactory, product_in_stock
from tests.fulfilment.factories import PickupPointFactory, open_run_at
from tests.partner.factories import TeamFactory
from tests.racing import postgres_only  # noqa: F401  (a fixture)

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
StockReservation = get_model("partner", "StockReservation")

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]


def basket_of(items):
    basket = Basket.objects.create()
    basket.strategy = Default()
    for product, quantity in items:
        basket.add_product(product, quantity)
    return basket


def sent(ctx):
    return [q["sql"] for q in ctx.captured_queries]


def synchronous_commit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_room_and_stock_are_each_one_statement_and_refusals_change_nothing():
    team = TeamFactory(code="one-statement", name="一条语句工作队")
    point = PickupPointFactory(team=team)
    household = HouseholdFactory(team=team)
    chicken = product_in_stock(
        team=team, title="小笨鸡", stock=3, price=D("60"), weight_per_unit_g=1000
    )
    eggs = product_in_stock(
        team=team, title="土鸡蛋", stock=500, price=D("1.5"), weight_per_unit_g=50
    )
    run = open_run_at(point, capacity_kg=D("4"))
    supply.set_commitment(run, household, eggs, 40)
    choice = RunChoice.at_stop(run.stops.get())
    basket = basket_of([(chicken, 2), (eggs, 20)])
    basket.all_lines()  # checkout has read the basket's lines by then

    with CaptureQueriesContext(connection) as room:
        booking = runs.take_room(choice, basket)
    with CaptureQueriesContext(connection) as stock:
        held = reservations.reserve_basket(basket)
    assert len(sent(room)) == 1 and len(sent(stock)) == 1, sent(room) + sent(stock)
    assert not any(q.startswith(("BEGIN", "SAVEPOINT")) for q in sent(room) + sent(stock))
    assert synchronous_commit() == "on"  # only those two statements skipped the wait
    assert booking.kg == D("3") and RunBooking.objects.filter(key=booking.key).count() == 2
    assert DeliveryRun.objects.get(pk=run.pk).booked_kg == D("3")
    assert {r.stockrecord_id: r.quantity for r in held} == {
        StockRecord.objects.get(product=chicken).pk: 2,
        StockRecord.objects.get(product=eggs).pk: 20,
    }
    assert StockReservation.objects.filter(pk__in=[r.pk for r in held]).count() == 2

    # 1 kg of room left and 20 promised eggs: one more chicken fits, 21 eggs do not; the
    # chicken's load must not grow although it alone would have fitted the car
    with pytest.raises(runs.NoRoom) as refused:
        runs.take_room(choice, basket_of([(chicken, 1), (eggs, 21)]))
    assert f"{run} 的“土鸡蛋”只剩 20，您要了 21。" in refused.value.messages
    assert supply.sold_by_run([run.pk])[0][run.pk] == {chicken.pk: 2, eggs.pk: 20}
    assert DeliveryRun.objects.get(pk=run.pk).booked_kg == D("3")

    # one chicken left in stock: two more are refused, and the eggs are not held either
    with pytest.raises(reservations.OutOfStock) as short:
        reservations.reserve_basket(basket_of([(eggs, 5), (chicken, 2)]))
    assert short.value.messages == ["小笨鸡只剩 1 枚了，请减少数量。"]
    assert StockRecord.objects.get(product=eggs).num_allocated == 20
    assert StockRecord.objects.get(product=chicken).num_allocated == 2
    assert StockReservation.objects.count() == 2
    assert synchronous_commit() == "on"
