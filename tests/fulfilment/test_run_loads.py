"""What a run's orders hold is kept per product (``RunLoad``) as orders come and go, and
checkout's room and supply checks read it instead of adding up every order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fulfilment import supply
from fulfilment.models import OrderRun
from shop.order import life
from shop.order import status as S
from tests.catalogue.factories import Product, product_in_stock
from tests.order.factories import make_order


def held(run):
    return supply.sold_by_run([run.pk])[0][run.pk]


def truth(run):
    """The same, added up from the orders' lines."""
    return {pid: qty for pid, qty in supply.sold_quantities(run).items() if qty}


def products(team):
    made = {}
    for title in ("散养土鸡蛋", "小笨鸡"):
        product = Product.objects.filter(title=title).first()
        made[title] = product or product_in_stock(team=team, title=title, stock=10_000)
    return made["散养土鸡蛋"], made["小笨鸡"]


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["place", "cancel", "restore", "change", "delete", "move"]),
        st.integers(0, 50),
        st.integers(1, 4),
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.django_db
# The run and products carry over from one example to the next: the check holds anyway.
@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_run_load_matches_the_orders_whatever_happens_to_them(team, run, later_run, operations):
    eggs, hens = products(team)
    for action, pick, amount in operations:
        orders = list(run.order_links.select_related("order").order_by("pk"))
        chosen = orders[pick % len(orders)].order if orders else None
        if action == "place" or chosen is None:
            make_order(run, [(eggs, amount), (hens, pick % 3 + 1)])
        elif action == "cancel":
            life.cancel(chosen)
        elif action == "restore" and chosen.status == S.CANCELLED:
            chosen.status = S.PLACED
            chosen.save()
        elif action == "change":
            line = chosen.lines.first()  # read from the database, as a dashboard edit is
            line.quantity = amount
            line.save()
        elif action == "delete":
            chosen.delete()
        elif action == "move":
            link = OrderRun.objects.get(order=chosen)
            link.run = later_run
            link.pickup = later_run.stops.first()
            link.save()
        assert held(run) == truth(run)
        assert held(later_run) == truth(later_run)


@pytest.mark.django_db
def test_room_checks_cost_the_same_however_many_orders_the_run_has(team, run):
    eggs = product_in_stock(team=team, title="散养土鸡蛋", stock=10_000)
    make_order(run, [(eggs, 2)])
    with CaptureQueriesContext(connection) as one_order:
        assert held(run) == {eggs.pk: 2}
    for _ in range(15):
        make_order(run, [(eggs, 2)])
    with CaptureQueriesContext(connection) as many_orders:
        assert held(run) == {eggs.pk: 32}
    assert len(many_orders) == len(one_order) == 1
    # One row per product is read, not one per order line.
    assert "order_line" not in many_orders.captured_queries[0]["sql"]
