"""An order takes its room on a run with conditional updates, before it is written, and
gives the room back when it is not placed after all (``shop.order.placement``)."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_model
from oscar.test.factories import create_order

from fulfilment import runs, supply
from fulfilment.models import CratePacking, DeliveryRun, RunBooking
from fulfilment.runs import RunChoice
from shop.order import life
from shop.order.placement import Refused, place_on_run
from shop.shipping.methods import PickupOnRun
from tests.catalogue.factories import product_in_stock
from tests.order.factories import make_order, make_split_order

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


def booked(run):
    run = DeliveryRun.objects.get(pk=run.pk)
    return run.booked_kg, run.booked_crates


def load(run):
    return supply.sold_by_run([run.pk])[0][run.pk]


def room_from_lines(run):
    """The room the run's orders take, added up from their lines as checkout counts it."""
    quantities = {pid: qty for pid, qty in supply.sold_quantities(run).items() if qty}
    products = supply.products_by_id(quantities)
    return runs.load_of(quantities, products)


def refusal(run, items):
    with pytest.raises(Refused) as refused:
        make_order(run, items)
    return refused.value.messages


@pytest.fixture
def chickens(team, pickup_point):
    return product_in_stock(
        team=team, title="农家小笨鸡", price=D("128"), stock=50, weight_per_unit_g=1500
    )


@pytest.mark.django_db
def test_a_run_choice_is_read_from_its_code_and_written_back(run):
    stop = run.stops.get()
    choice = RunChoice.from_code(stop.shipping_code)
    assert choice == RunChoice(run.pk, pickup_id=stop.pk) and choice.is_pickup
    assert RunChoice.from_code(f"run-{run.pk}-zone-7") == RunChoice(run.pk, zone_id=7)
    assert RunChoice(run.pk, zone_id=7).code == f"run-{run.pk}-zone-7"
    assert RunChoice.from_code("pickup") is None and RunChoice.from_code(None) is None


@pytest.mark.django_db
def test_the_car_full_by_weight_refuses_with_the_same_reason_and_changes_nothing(run, chickens):
    DeliveryRun.objects.filter(pk=run.pk).update(capacity_kg=D("10"))
    order = make_order(run, [(chickens, 4)])  # 6 kg
    assert order.run_link.run_id == run.pk and order.run_link.weight_kg == D("6")
    assert booked(run) == (D("6"), 0)

    assert refusal(run, [(chickens, 4)]) == [
        f"{run} 的车只能再装约 4.0 公斤，您的订单约 6.0 公斤。"
    ]
    assert Order.objects.count() == 1
    assert booked(run) == (D("6"), 0) and load(run) == {chickens.pk: 4}
    assert StockRecord.objects.get(product=chickens).num_allocated == 4
    assert not RunBooking.objects.exists()
    make_order(run, [(chickens, 2)])  # the last 3 kg still sell
    assert booked(run) == (D("9"), 0) == (room_from_lines(run)[0], 0)


@pytest.mark.django_db
def test_crates_are_counted_per_product_rounded_up(run, eggs):
    CratePacking.objects.create(product=eggs, units_per_crate=30)
    DeliveryRun.objects.filter(pk=run.pk).update(capacity_crates=2)
    make_order(run, [(eggs, 40)])  # 2 crates
    make_order(run, [(eggs, 20)])  # 60 eggs: still 2 crates
    assert booked(run)[1] == 2
    assert refusal(run, [(eggs, 1)]) == [f"{run} 的蛋箱/禽笼只剩 0 个，您的订单需要 1 个。"]
    assert booked(run)[1] == 2 and load(run) == {eggs.pk: 60}


@pytest.mark.django_db
def test_beyond_the_households_promise_is_refused(run, eggs, households):
    supply.set_commitment(run, households["poor"], eggs, 20)
    make_order(run, [(eggs, 15)])
    assert refusal(run, [(eggs, 10)]) == [f"{run} 的“散养土鸡蛋”只剩 5，您要了 10。"]
    assert load(run) == {eggs.pk: 15}
    make_order(run, [(eggs, 5)])
    assert load(run) == {eggs.pk: 20}


@pytest.mark.django_db
def test_a_closed_run_takes_no_order(run, eggs):
    runs.change_status(run, DeliveryRun.Status.CLOSED)
    assert refusal(run, [(eggs, 1)]) == ["您选的配送批次已截单，请另选一个批次。"]
    assert booked(run) == (D("0"), 0) and load(run) == {}


def basket_of(items):
    basket = Basket.objects.create()
    basket.strategy = Default()
    for product, quantity in items:
        basket.add_product(product, quantity)
    return basket


@pytest.mark.django_db
def test_an_order_that_fails_after_the_room_was_taken_gives_it_back(run, chickens):
    make_order(run, [(chickens, 2)])
    basket = basket_of([(chickens, 3)])

    def broken_order():
        Order.objects.create(number="half-written", total_incl_tax=1, total_excl_tax=1)
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        place_on_run(RunChoice.at_stop(run.stops.get()), basket, broken_order)
    assert not Order.objects.filter(number="half-written").exists()
    assert booked(run) == (D("3"), 0) and load(run) == {chickens.pk: 2}
    assert StockRecord.objects.get(product=chickens).num_allocated == 2
    assert not RunBooking.objects.exists()


@pytest.mark.django_db
def test_an_order_number_taken_already_is_refused_by_the_table_and_gives_everything_back(
    run, chickens
):
    """Orders are written without first asking whether their number is taken
    (``shop.order.utils``): the table's unique number refuses the second one, and the
    room, the stock and the basket are as before."""
    first = make_order(run, [(chickens, 2)])
    basket = basket_of([(chickens, 3)])
    stop = run.stops.get()

    with pytest.raises(IntegrityError):
        place_on_run(
            RunChoice.at_stop(stop),
            basket,
            lambda: create_order(
                number=first.number, basket=basket, shipping_method=PickupOnRun(stop)
            ),
        )
    assert list(Order.objects.values_list("number", flat=True)) == [first.number]
    assert booked(run) == (D("3"), 0) and load(run) == {chickens.pk: 2}
    assert StockRecord.objects.get(product=chickens).num_allocated == 2
    assert not RunBooking.objects.exists()
    assert Basket.objects.get(pk=basket.pk).status == Basket.OPEN


@pytest.mark.django_db
def test_stock_running_out_after_the_room_was_taken_gives_the_room_back(run, chickens):
    StockRecord.objects.filter(product=chickens).update(num_in_stock=3)
    make_order(run, [(chickens, 2)])
    assert refusal(run, [(chickens, 2)]) == ["农家小笨鸡只剩 1 枚了，请减少数量。"]
    assert booked(run) == (D("3"), 0) and load(run) == {chickens.pk: 2}


@pytest.mark.django_db
def test_booked_room_follows_cancellations_line_changes_and_moves(run, later_run, eggs, chickens):
    CratePacking.objects.create(product=eggs, units_per_crate=30)
    first = make_order(run, [(eggs, 40), (chickens, 2)])
    second = make_order(run, [(eggs, 10)])
    assert booked(run) == (D("3"), 2) == room_from_lines(run)

    life.cancel(first)
    assert booked(run) == (D("0"), 1) == room_from_lines(run)
    assert load(run) == {eggs.pk: 10}

    line = second.lines.get()
    line.quantity = 31
    line.save()
    assert booked(run) == (D("0"), 2) == room_from_lines(run)

    link = second.run_link
    link.run = later_run
    link.pickup = later_run.stops.get()
    link.save()
    assert booked(run) == (D("0"), 0) and load(run) == {}
    assert booked(later_run) == (D("0"), 2) == room_from_lines(later_run)


@pytest.mark.django_db
def test_counting_a_run_again_keeps_the_room_of_an_order_being_placed(run, chickens):
    first = make_order(run, [(chickens, 2)])
    booking = runs.take_room(RunChoice.at_stop(run.stops.get()), basket_of([(chickens, 1)]))
    life.cancel(first)  # counts the run again meanwhile
    assert booked(run) == (D("1.5"), 0) and load(run) == {chickens.pk: 1}
    runs.give_back_room(booking)
    assert booked(run) == (D("0"), 0) and load(run) == {}


@pytest.mark.django_db
def test_a_team_saving_a_run_it_read_earlier_keeps_the_room_orders_took(run, chickens):
    opened_form = DeliveryRun.objects.get(pk=run.pk)  # the team's edit page, still open
    make_order(run, [(chickens, 2)])
    opened_form.capacity_kg = D("50")
    opened_form.save()
    assert booked(run) == (D("3"), 0)
    assert DeliveryRun.objects.get(pk=run.pk).capacity_kg == D("50")


@pytest.mark.django_db
def test_the_split_order_factory_places_one_order_per_team_as_checkout_does(run, eggs, other_team):
    greens = product_in_stock(team=other_team, title="小白菜", price=D("3.00"), stock=20)
    first, second = make_split_order([(eggs, 4), (greens, 2)], runs={run.team: run})
    assert first.checkout_group_id and first.checkout_group_id == second.checkout_group_id
    base = first.number.rsplit("-", 1)[0]
    assert (first.number, second.number) == (f"{base}-1", f"{base}-2")
    by_team = {order.lines.get().partner: order for order in (first, second)}
    assert set(by_team) == {run.team, other_team}
    assert by_team[run.team].run_link.run == run
    assert by_team[other_team].run_link.run.team == other_team
    assert StockRecord.objects.get(product=greens).num_allocated == 2
    with pytest.raises(ValueError):
        make_split_order([(eggs, 1)])
