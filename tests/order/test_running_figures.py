"""The running figures (``shop.figures``) follow every event of an order's life: after
every step of the money-agreement machine they equal a rebuild from the records; pages
that read them make the same number of queries however many orders there are; hand-overs
racing on PostgreSQL add up; ``rebuild_figures --check`` finds a figure written past the
order's life."""

from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import settings
from hypothesis.stateful import invariant
from oscar.core.loading import get_model

from content import impact
from fulfilment.models import DeliveryRun, OrderRun
from shop.desk.reports import SalesReport
from shop.figures import running
from shop.figures.models import Cell, Contribution
from shop.order import life
from shop.order import status as S
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock
from tests.fulfilment.factories import DeliveryRunFactory, PickupPointFactory
from tests.order.factories import make_order
from tests.order.test_money_agrees import OrderLives
from tests.partner.factories import TeamFactory
from tests.racing import postgres_only, racers  # noqa: F401  (postgres_only is a fixture)

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


class RunningLives(OrderLives):
    """The money-agreement machine, with one more thing that must always hold."""

    @invariant()
    def running_figures_equal_a_rebuild(self):
        assert running.differences() == []
        # The catalogue's sort figures (units handed over, lowest price) follow too.
        assert running.product_differences() == []
        # Every order counted has the share a rebuild gives it, and only those.
        computed = running.order_shares()
        kept = {
            row.object_id: running._decode(row.cells)
            for row in Contribution.objects.filter(kind=running.ORDER)
        }
        assert kept == {pk: share for pk, share in computed.items() if share}


def test_running_figures_follow_every_event(stripe_fake):
    RunningLives.TestCase.settings = settings(max_examples=6, stateful_step_count=15, deadline=None)
    RunningLives.TestCase().runTest()


# --- a small world of delivered orders ----------------------------------------------------


def _world(code="fig"):
    team = TeamFactory(code=code, name="向阳村工作队")
    village = VillageFactory()
    household = HouseholdFactory(team=team, village=village)
    eggs = product_in_stock(
        team=team, price=D("2.00"), stock=100_000, origin_village=village, weight_per_unit_g=50
    )
    eggs.households.set([household])
    point = PickupPointFactory(team=team)
    return {"team": team, "eggs": eggs, "point": point}


def _deliver(world, count, quantity=3):
    """``count`` orders on a new run of the team, handed over as the driver does."""
    run = DeliveryRunFactory(team=world["team"], stops=[world["point"]])
    orders = [make_order(run, [(world["eggs"], quantity)]) for _ in range(count)]
    DeliveryRun.objects.filter(pk=run.pk).update(status=DeliveryRun.Status.DELIVERING)
    for order in orders:
        with transaction.atomic():
            life.handed_over(OrderRun.objects.get(order=order))
    return orders


def test_hand_over_counts_once_and_its_undo_takes_it_back():
    world = _world()
    (order,) = _deliver(world, 1, quantity=5)
    link = OrderRun.objects.get(order=order)
    assert life.handed_over(link) is False  # a second tap changes nothing
    total = SalesReport().total()
    assert (total.amount, total.quantity, total.orders) == (D("10.00"), 5, 1)
    report = impact.build_report()
    assert report.totals.income == D("10.00")
    assert report.totals.kilograms == D("0.250")
    assert report.totals.households == 1
    life.handed_over_undone(link)
    assert SalesReport().total().amount == D("0.00")
    assert impact.build_report().totals.orders == 0
    assert running.differences() == []


def test_a_products_village_and_suppliers_count_again_when_they_change(
    django_capture_on_commit_callbacks,
):
    from catalogue.models import Product

    world = _world()
    _deliver(world, 2)
    elsewhere = VillageFactory()
    eggs = Product.objects.get(pk=world["eggs"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        eggs.origin_village = elsewhere
        eggs.save()
    assert impact.build_report().find("villages", elsewhere.pk).orders == 2
    eggs.households.clear()  # no household supplies it: no income credited
    assert impact.build_report().totals.income == D("0.00")
    assert SalesReport().total().amount == D("12.00")
    assert running.differences() == []


def test_check_finds_a_figure_written_past_the_orders_life(capsys):
    world = _world()
    _deliver(world, 2)
    call_command("rebuild_figures", "--check")
    assert "agree" in capsys.readouterr().out
    Cell.objects.filter(dim=running.TOTAL, team=running.ALL).update(amount_fen=1)
    with pytest.raises(CommandError, match="differ"):
        call_command("rebuild_figures", "--check")
    assert "amount_fen" in capsys.readouterr().out
    call_command("rebuild_figures")
    call_command("rebuild_figures", "--check")
    assert SalesReport().total().amount == D("12.00")


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("report", ["product", "household", "month", "buyers", "pickup"])
def test_report_page_queries_do_not_grow_with_the_orders(client, report):
    from tests.dashboard.factories import coordinator

    world = _world()
    client.force_login(coordinator())
    url = reverse("dashboard:desk-reports") + f"?report={report}"
    _deliver(world, 2)
    client.get(url)  # the first page of a session looks up a few things once
    few = _page_queries(client, url)
    _deliver(world, 12)
    many = _page_queries(client, url)
    assert many == few
    assert SalesReport().total().orders == 14


def test_impact_report_queries_do_not_grow_with_the_orders():
    world = _world()
    _deliver(world, 2)
    with CaptureQueriesContext(connection) as few:
        impact.build_report()
    _deliver(world, 12)
    with CaptureQueriesContext(connection) as many:
        report = impact.build_report()
    assert len(many) == len(few) <= 8
    assert report.totals.orders == 14


def test_impact_report_is_built_by_one_worker_while_others_serve_the_last():
    world = _world()
    _deliver(world, 1)
    first = impact.report()
    impact._retire_reports()  # the figures changed
    assert cache.add("impact:building:all", 1, 30)  # another worker is building it
    try:
        assert impact.report() is not None
        assert impact.report().totals.income == first.totals.income  # the last one served
    finally:
        cache.delete("impact:building:all")


# --- racing on PostgreSQL --------------------------------------------------------------

RACERS = 8
ROUNDS = 3


def _hand_over(order_id):
    with transaction.atomic():
        link = OrderRun.objects.select_related("order").get(order_id=order_id)
        return ("handed", life.handed_over(link))


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_hand_overs_racing_add_up_in_the_running_figures():
    world = _world("fig-race")
    run = DeliveryRunFactory(team=world["team"], stops=[world["point"]])
    handed = 0
    with racers(RACERS) as field:
        for _round in range(ROUNDS):
            DeliveryRun.objects.filter(pk=run.pk).update(status=DeliveryRun.Status.OPEN)
            orders = [make_order(run, [(world["eggs"], 2)]) for _ in range(RACERS // 2)]
            DeliveryRun.objects.filter(pk=run.pk).update(status=DeliveryRun.Status.DELIVERING)
            # Two racers per order: the same cells, and the same order twice at once.
            results = field.race(_hand_over, [(o.pk,) for o in orders for _twice in (1, 2)])
            assert not [r for r in results if r[0] == "error"], results
            handed += len(orders)
    assert running.differences() == []
    total = SalesReport().total()
    assert (total.orders, total.quantity, total.amount) == (handed, 2 * handed, D(4 * handed))
    assert impact.build_report().totals.orders == handed
    assert Order.objects.filter(status__in=S.DELIVERED).count() == handed
