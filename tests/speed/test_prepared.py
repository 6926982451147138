"""Basket lines read through a query compiled once: the same lines, fresh each time."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from shop.speed import PreparedQuery, Slot
from tests.catalogue.factories import product_in_stock

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")
Selector = get_class("partner.strategy", "Selector")


@pytest.mark.django_db
def test_prepared_query_returns_what_the_orm_returns_with_joined_objects_and_new_values(team):
    eggs = product_in_stock(team=team, title="散养土鸡蛋")
    greens = product_in_stock(team=team, title="小油菜")
    first, second = Basket.objects.create(), Basket.objects.create()
    first.strategy = second.strategy = Selector().strategy()
    first.add_product(eggs, 2)
    first.add_product(greens, 1)
    second.add_product(greens, 5)
    lines = PreparedQuery(
        lambda: (
            Line.objects.filter(basket_id=Slot("basket"))
            .select_related("product", "stockrecord__partner")
            .order_by("pk")
        )
    )

    with CaptureQueriesContext(connection) as ctx:
        got = lines(basket=first.id)
        titles = [
            (line.product.title, line.stockrecord.partner.name, line.quantity) for line in got
        ]
        again = lines(basket=second.id)
    assert len(ctx.captured_queries) == 2  # one each, joined objects included
    assert titles == [("散养土鸡蛋", team.name, 2), ("小油菜", team.name, 1)]
    assert [(line.product.title, line.quantity) for line in again] == [("小油菜", 5)]
    orm = list(first.lines.order_by("pk"))
    assert [(line.pk, line.price_incl_tax, line.date_created) for line in got] == [
        (line.pk, line.price_incl_tax, line.date_created) for line in orm
    ]
    assert not got[0]._state.adding  # saved rows: saving them updates, never inserts

    Line.objects.filter(basket=first, product=eggs).update(quantity=7)
    assert [line.quantity for line in lines(basket=first.id)] == [7, 1]  # rows are not kept


@pytest.mark.django_db
def test_checkout_sees_a_quantity_changed_on_the_basket_page(client, team, pickup_point):
    eggs = product_in_stock(team=team, title="散养土鸡蛋", price="2.00")
    client.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 1})
    basket = Basket.objects.get()
    line = basket.lines.get()
    page = client.get(reverse("basket:summary")).content.decode()
    assert "散养土鸡蛋" in page
    response = client.post(
        reverse("basket:summary"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": line.pk,
            "form-0-quantity": "3",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("basket:summary")).content.decode()
    assert "6.00" in page  # 3 × 2.00 on the next read of the lines


@pytest.mark.django_db
def test_a_forged_or_spent_basket_cookie_gives_an_empty_basket(client, team, pickup_point):
    eggs = product_in_stock(team=team, title="散养土鸡蛋")
    client.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 2})
    cookie = client.cookies["oscar_open_basket"].value
    assert "散养土鸡蛋" in client.get(reverse("basket:summary")).content.decode()

    basket = Basket.objects.get()
    for forged in (cookie.replace(str(basket.pk), str(basket.pk + 1), 1), "12:abc", "oops"):
        stranger = Client()
        stranger.cookies["oscar_open_basket"] = forged
        response = stranger.get(reverse("basket:summary"))
        assert response.status_code == 200
        assert "散养土鸡蛋" not in response.content.decode()
        assert response.cookies["oscar_open_basket"].value == ""  # told to forget it

    basket.submit()  # ordered: the cookie no longer opens it
    assert "散养土鸡蛋" not in client.get(reverse("basket:summary")).content.decode()


@pytest.mark.django_db
def test_adding_a_product_that_is_gone_is_a_404_and_adds_nothing(client, team):
    eggs = product_in_stock(team=team, title="散养土鸡蛋")
    gone = eggs.pk + 1000
    response = client.post(reverse("basket:add", kwargs={"pk": gone}), {"quantity": 1})
    assert response.status_code == 404
    assert not Line.objects.exists()
    response = client.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 2})
    assert response.status_code == 302
    assert Line.objects.get().quantity == 2


@pytest.mark.django_db
def test_a_many_slot_takes_lists_of_any_length_with_the_other_values(team):
    products = [product_in_stock(team=team, title=f"鸡蛋{i}") for i in range(4)]
    Product = get_model("catalogue", "Product")
    wanted = PreparedQuery(
        lambda: Product.objects.filter(
            pk__in=Slot("ids", many=True), title__startswith=Slot("prefix")
        ).order_by("pk")
    )
    ids = [p.pk for p in products]

    for chosen in (ids[:1], ids[1:3], ids, ids[::-1], ids[2:3]):
        got = [p.pk for p in wanted(ids=chosen, prefix="鸡蛋")]
        expected = list(
            Product.objects.filter(pk__in=chosen).order_by("pk").values_list("pk", flat=True)
        )
        assert got == expected
    assert wanted(ids=ids, prefix="鸭蛋") == []
    with pytest.raises(ValueError):
        wanted(ids=[], prefix="鸡蛋")


@pytest.mark.django_db
def test_the_basket_page_shows_each_lines_photo_with_one_query_for_all(client, team, pickup_point):
    first = product_in_stock(team=team, title="散养土鸡蛋")
    second = product_in_stock(team=team, title="小油菜")
    for product in (first, second):
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    ProductImage = get_model("catalogue", "ProductImage")
    ProductImage.objects.create(product=second, original="images/products/greens.jpg")

    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("basket:summary")).content.decode()

    image_queries = [q for q in ctx.captured_queries if "catalogue_productimage" in q["sql"]]
    assert len(image_queries) == 1
    basket = client.get(reverse("basket:summary")).context["basket"]
    shown = {line.product.title: line.product.primary_image() for line in basket.all_lines()}
    assert getattr(shown["小油菜"], "original", None) == "images/products/greens.jpg"
    assert shown["散养土鸡蛋"]["is_missing"]
    assert "小油菜" in page
