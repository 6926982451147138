"""The basket's lines read in one statement written once per process (shop.speed.Joined):
the same rows, values and types as Django's ``select_related`` gives, with every related
row already on the line, on SQLite and on PostgreSQL."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from shop.basket.models import _LINE_JOINS, _images_of_products, _line_rows, _lines_of_basket
from tests.catalogue.factories import product_in_stock
from tests.catalogue.test_query_budgets import tiny_png

Basket, Line = get_model("basket", "Basket"), get_model("basket", "Line")
ProductImage = get_model("catalogue", "ProductImage")
Selector = get_class("partner.strategy", "Selector")


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.django_db
def test_the_lines_and_their_related_rows_are_those_select_related_reads(team, eggs):
    rice = product_in_stock(team=team, title="小米", price=D("12.80"), stock=40)
    basket, other = Basket.objects.create(), Basket.objects.create()
    for one in (basket, other):
        one.strategy = Selector().strategy()
    basket.add_product(rice, 2)
    basket.add_product(eggs, 3)
    other.add_product(eggs, 1)  # another basket's line is not read
    rice.product_class = None  # a product without a class joins as None
    rice.save()

    expected = list(Line.objects.filter(basket=basket).select_related(*_LINE_JOINS).order_by("pk"))
    with CaptureQueriesContext(connection) as queries:
        lines = _lines_of_basket(basket.id)
        for line in lines:  # everything the pages read from a line, without a query
            line.product.product_class, line.stockrecord.partner.name  # noqa: B018
    assert len(queries) == 1
    assert [line.pk for line in lines] == [line.pk for line in expected]
    for line, wanted in zip(lines, expected, strict=True):
        assert line._state.adding is False and line._state.db == "default"
        for got, want in (
            (line, wanted),
            (line.product, wanted.product),
            (line.stockrecord, wanted.stockrecord),
            (line.stockrecord.partner, wanted.stockrecord.partner),
        ):
            assert type(got) is type(want)
            assert _fields(got) == _fields(want)
            for name, value in _fields(got).items():  # Decimal stays Decimal, dates aware
                assert type(value) is type(_fields(want)[name]), name
        if wanted.product.product_class is None:
            assert line.product.product_class is None
        else:
            assert _fields(line.product.product_class) == _fields(wanted.product.product_class)
    assert lines[0].product.product_class is None
    assert (lines[1].quantity, lines[1].price_incl_tax) == (3, D("1.50"))


@pytest.mark.django_db
def test_a_basket_without_lines_reads_none():
    assert _lines_of_basket(Basket.objects.create().id) == []


@pytest.mark.django_db
def test_adding_reads_the_product_its_class_and_stock_in_one_query_and_refuses_one_not_there(
    eggs,
):
    shopper = Client()
    with CaptureQueriesContext(connection) as queries:
        added = shopper.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 2})
    assert added.status_code == 302
    reads = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT")
        and ('"catalogue_product"' in q["sql"] or '"partner_stockrecord"' in q["sql"])
    ]
    assert len(reads) == 1 and "catalogue_productclass" in reads[0]
    assert Line.objects.get().quantity == 2
    missing = shopper.post(reverse("basket:add", kwargs={"pk": eggs.pk + 999}), {"quantity": 1})
    assert missing.status_code == 404
    assert Line.objects.count() == 1


@pytest.mark.django_db
def test_a_product_without_stock_is_refused_with_a_message_and_nothing_added(eggs):
    shopper = Client()
    eggs.stockrecords.all().delete()
    refused = shopper.post(
        reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 10}, follow=True
    )
    assert refused.status_code == 200
    assert Line.objects.count() == 0
    said = " ".join(str(m) for m in refused.context["messages"])
    assert said and "已加入购物车" not in said


@pytest.mark.django_db
def test_on_postgresql_each_related_row_is_one_lookup_by_key_whatever_the_statistics(team, eggs):
    """The planner may not walk a related table's whole key index (a merge join), which it
    chose with plain joins when the statistics did not know the newest product's key."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan of PostgreSQL's planner")
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(eggs, 2)
    sql = _line_rows._build("default")[0]
    with connection.cursor() as cursor:
        # a planner that would rather do anything than a nested loop (as stale statistics
        # make it for the newest product): the lookups by key must still be all it can do
        for setting in ("enable_nestloop", "enable_hashjoin", "enable_seqscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", [basket.id])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Merge" not in plan, plan
    for table in ("catalogue_product", "catalogue_productclass", "partner_stockrecord"):
        assert f"on {table} " in plan, plan  # each read, by its key
    assert plan.count("Nested Loop") == 4, plan


@pytest.mark.django_db
def test_the_lines_photos_are_the_products_images_in_their_order_in_one_read(team, eggs):
    """The basket page and the order confirmation read every line's photos in one
    statement: the same images, values and order (display order, then key) as the ORM's
    query, none of another product's, and a product without a photo gets none."""
    rice = product_in_stock(team=team, title="小米", price=D("12.80"), stock=40)
    bare = product_in_stock(team=team, title="红薯", price=D("3.00"), stock=40)
    other = product_in_stock(team=team, title="核桃", price=D("30.00"), stock=40)
    for product, orders in ((eggs, (2, 0, 1)), (rice, (1, 1)), (other, (0,))):
        for order in orders:
            image = ProductImage(product=product, display_order=order)
            image.original.save(f"p{product.pk}-{order}.png", tiny_png(), save=False)
            image.save()
    wanted = [eggs.pk, rice.pk, bare.pk]
    expected = list(
        ProductImage.objects.filter(product_id__in=wanted).order_by("display_order", "pk")
    )
    with CaptureQueriesContext(connection) as queries:
        images = _images_of_products(wanted)
    assert len(queries) == 1
    assert [image.pk for image in images] == [image.pk for image in expected]
    assert [_fields(image) for image in images] == [_fields(image) for image in expected]
    assert _images_of_products([bare.pk]) == [] and _images_of_products([]) == []
    one = _images_of_products([rice.pk])
    assert [image.pk for image in one] == [i.pk for i in expected if i.product_id == rice.pk]

    shopper = Client()
    for product in (eggs, bare):
        shopper.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    lines = shopper.get(reverse("basket:summary")).context["basket"].all_lines()
    photos = {line.product.title: line.product.primary_image() for line in lines}
    first_of_eggs = next(i for i in expected if i.product_id == eggs.pk)
    assert photos["散养土鸡蛋"].pk == first_of_eggs.pk
    assert getattr(photos["红薯"], "pk", None) is None  # Oscar's placeholder
