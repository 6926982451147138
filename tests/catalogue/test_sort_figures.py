"""The figures the catalogue sorts by, stored on the product (``catalogue.sort_figures``):
units handed over follow hand-overs, cuts, cancellations and undos in the event's own
transaction; the lowest price follows every stock record save and delete; the sorts
show them; ``rebuild_figures --check`` finds a stored figure that drifted and
``rebuild_figures`` mends it."""

from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Product
from fulfilment.models import DeliveryRun, OrderRun, Shortfall
from shop.figures import running
from shop.order import life
from shop.partner.models import StockRecord
from tests.catalogue.factories import (
    HouseholdFactory,
    StockRecordFactory,
    VillageFactory,
    product_in_stock,
)
from tests.fulfilment.factories import DeliveryRunFactory, PickupPointFactory
from tests.order.factories import make_order
from tests.partner.factories import TeamFactory

pytestmark = pytest.mark.django_db


def _units(product):
    return Product.objects.values_list("units_handed_over", flat=True).get(pk=product.pk)


def _lowest(product):
    return Product.objects.values_list("lowest_price", flat=True).get(pk=product.pk)


@pytest.fixture
def world():
    team = TeamFactory(code="srt", name="向阳村工作队")
    village = VillageFactory()
    household = HouseholdFactory(team=team, village=village)
    eggs = product_in_stock(
        team=team, price=D("2.00"), stock=10_000, origin_village=village, title="散养土鸡蛋"
    )
    millet = product_in_stock(
        team=team, price=D("9.00"), stock=10_000, origin_village=village, title="小米"
    )
    point = PickupPointFactory(team=team)
    run = DeliveryRunFactory(team=team, stops=[point])
    return {"team": team, "eggs": eggs, "millet": millet, "run": run, "household": household}


def _on_its_way(run):
    DeliveryRun.objects.filter(pk=run.pk).update(status=DeliveryRun.Status.DELIVERING)


def _hand_over(order):
    with transaction.atomic():
        life.handed_over(OrderRun.objects.get(order=order))


def test_units_follow_hand_over_cut_cancel_and_undo(world):
    eggs, millet, run = world["eggs"], world["millet"], world["run"]
    first = make_order(run, [(eggs, 5), (millet, 1)])
    second = make_order(run, [(eggs, 3)])
    third = make_order(run, [(eggs, 4)])
    assert _units(eggs) == 0  # placed is not handed over
    _on_its_way(run)

    _hand_over(first)
    _hand_over(second)
    assert (_units(eggs), _units(millet)) == (8, 1)

    # A shortfall cuts 2 of the third order's eggs before it is handed over: 2 count.
    line = third.lines.get(product=eggs)
    shortfall = Shortfall.objects.create(
        run=run, household=world["household"], product=eggs, quantity=2
    )
    with transaction.atomic():
        life.cut_lines(shortfall, {line: 2})
    _hand_over(third)
    assert _units(eggs) == 10

    life.cancel(second, message="买家不要了")
    assert _units(eggs) == 7

    with transaction.atomic():
        life.handed_over_undone(OrderRun.objects.get(order=first))
    assert (_units(eggs), _units(millet)) == (2, 0)
    assert running.differences() == [] and running.product_differences() == []


def test_a_failed_event_leaves_the_units_as_they_were(world):
    order = make_order(world["run"], [(world["eggs"], 5)])
    _on_its_way(world["run"])
    with pytest.raises(RuntimeError), transaction.atomic():
        life.handed_over(OrderRun.objects.get(order=order))
        assert _units(world["eggs"]) == 5  # in the event's own transaction
        raise RuntimeError("the rest of the event failed")
    assert _units(world["eggs"]) == 0


def test_lowest_price_follows_stock_record_edits(world):
    eggs = world["eggs"]
    assert _lowest(eggs) == D("2.00")
    other_team = TeamFactory(code="srt2")
    cheaper = StockRecordFactory(product=eggs, partner=other_team, price=D("1.20"), num_in_stock=5)
    assert _lowest(eggs) == D("1.20")
    cheaper.price = D("3.50")  # the team's product page and the dashboard save like this
    cheaper.save()
    assert _lowest(eggs) == D("2.00")
    record = StockRecord.objects.get(product=eggs, partner=world["team"])
    record.price = D("4.00")
    record.save(update_fields=["price"])
    assert _lowest(eggs) == D("3.50")
    cheaper.delete()
    assert _lowest(eggs) == D("4.00")
    record.product = world["millet"]  # moved to another product: both follow
    record.save()
    assert (_lowest(eggs), _lowest(world["millet"])) == (None, D("4.00"))
    assert running.product_differences() == []


def test_stock_level_saves_do_not_touch_the_product(world):
    record = StockRecord.objects.get(product=world["eggs"])
    record.num_in_stock = 7
    with CaptureQueriesContext(connection) as saved:
        record.save(update_fields=["num_in_stock"])
    writes = [q["sql"] for q in saved.captured_queries if q["sql"].startswith("UPDATE")]
    assert writes and not [sql for sql in writes if '"catalogue_product"' in sql]


def test_team_product_page_price_edit_updates_the_price_sort(client, world):
    """A price edit through the team's own form (``fulfilment.products.update``)."""
    from fulfilment import products

    record = StockRecord.objects.get(product=world["millet"])
    products.update(record, price=D("0.80"), stock=None, product_fields={}, note="")
    html = client.get(reverse("catalogue:index"), {"sort": "price_asc"}).content.decode()
    assert html.index("小米") < html.index("散养土鸡蛋")
    html = client.get(reverse("catalogue:index"), {"sort": "price_desc"}).content.decode()
    assert html.index("散养土鸡蛋") < html.index("小米")


def test_popular_sort_reads_units_handed_over(client, world):
    eggs, millet, run = world["eggs"], world["millet"], world["run"]
    orders = [make_order(run, [(millet, 1)]) for _ in range(2)] + [make_order(run, [(eggs, 1)])]
    _on_its_way(run)
    for order in orders:
        _hand_over(order)
    html = client.get(reverse("catalogue:index"), {"sort": "popular"}).content.decode()
    assert html.index("小米") < html.index("散养土鸡蛋")
    life.cancel(orders[0])
    life.cancel(orders[1])
    html = client.get(reverse("catalogue:index"), {"sort": "popular"}).content.decode()
    assert html.index("散养土鸡蛋") < html.index("小米")


def test_check_finds_a_drifted_sort_figure_and_rebuild_mends_it(world, capsys):
    order = make_order(world["run"], [(world["eggs"], 5)])
    _on_its_way(world["run"])
    _hand_over(order)
    call_command("rebuild_figures", "--check")
    assert "agree" in capsys.readouterr().out
    Product.objects.filter(pk=world["eggs"].pk).update(units_handed_over=99)
    Product.objects.filter(pk=world["millet"].pk).update(lowest_price=D("0.01"))
    with pytest.raises(CommandError, match="2 running figures differ"):
        call_command("rebuild_figures", "--check")
    out = capsys.readouterr().out
    assert f"product {world['eggs'].pk}" in out and "kept (99," in out
    call_command("rebuild_figures")
    call_command("rebuild_figures", "--check")
    assert (_units(world["eggs"]), _lowest(world["millet"])) == (5, D("9.00"))


def test_saving_a_product_loaded_earlier_keeps_the_newer_figures(world):
    """A form or sheet row holding the product from before a hand-over and a price
    change saves its own fields, not the figures it loaded."""
    stale = Product.objects.get(pk=world["eggs"].pk)
    order = make_order(world["run"], [(world["eggs"], 5)])
    _on_its_way(world["run"])
    _hand_over(order)
    record = StockRecord.objects.get(product=world["eggs"])
    record.price = D("2.60")
    record.save()
    stale.title = "笨鸡蛋"
    stale.save()
    assert (_units(stale), _lowest(stale)) == (5, D("2.60"))
    assert Product.objects.get(pk=stale.pk).title == "笨鸡蛋"
    assert running.product_differences() == []
