"""The basket page: quick to render, and it says where delivery is chosen."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signing import Signer
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from tests.catalogue.factories import product_in_stock


def basket_queries(client):
    client.get(reverse("basket:summary"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("basket:summary"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.django_db
def test_basket_page_cost_does_not_grow_with_lines_and_names_the_delivery_choice(
    client, team, pickup_point
):
    first = product_in_stock(team=team, title="散养土鸡蛋")
    client.post(reverse("basket:add", kwargs={"pk": first.pk}), {"quantity": 1})
    one_line, html = basket_queries(client)
    assert "结算时选择自提点" in html
    for i in range(5):
        product = product_in_stock(team=team, title=f"时令蔬菜{i}")
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    six_lines, html = basket_queries(client)
    assert "时令蔬菜4" in html
    assert six_lines == one_line
    assert one_line <= 14


def said(response):
    return [str(message) for message in response.wsgi_request._messages]


@pytest.mark.django_db
def test_adding_says_what_was_added_and_the_new_total_in_the_buyers_language(client, eggs):
    add = reverse("basket:add", kwargs={"pk": eggs.pk})
    confirm = reverse("checkout:confirm")

    first = said(client.post(add, {"quantity": 1}))
    assert first[0] == "已加入购物车：<strong>散养土鸡蛋</strong>"
    assert first[1].startswith("购物车合计 <strong>¥1.50</strong>")
    assert f'href="{confirm}"' in first[1] and ">去结算<" in first[1]

    more = said(client.post(add, {"quantity": 9}))
    assert more[-2:][0] == "已加入购物车：<strong>散养土鸡蛋</strong> × 9"
    assert more[-1].startswith("购物车合计 <strong>¥15.00</strong>")

    english = said(client.post("/en" + add, {"quantity": 2}))
    assert english[-2] == "Added to your cart: <strong>散养土鸡蛋</strong> × 2"
    assert english[-1].startswith("Cart total <strong>¥18.00</strong>")
    assert f'href="/en{confirm}"' in english[-1] and ">Check out<" in english[-1]
    assert not any("Your basket" in message for message in first + more)  # Oscar's English


@pytest.mark.django_db
@pytest.mark.parametrize("named", ["submitted", "a buyer's", "gone", "unsigned"])
def test_a_basket_cookie_naming_no_open_guest_basket_opens_none_and_is_deleted(
    client, team, pickup_point, named
):
    """The basket page read with a cookie that names a basket a guest may not use (ordered,
    someone's own, deleted, or not signed by the shop): an empty basket, the cookie deleted,
    and the basket it named left as it was."""
    Basket = get_model("basket", "Basket")
    eggs = product_in_stock(team=team, title="散养土鸡蛋")
    basket = Basket.objects.create()
    basket.strategy = get_class("partner.strategy", "Selector")().strategy()
    basket.add_product(eggs, 4)
    value = Signer().sign(str(basket.pk))
    if named == "submitted":
        basket.submit()
    elif named == "a buyer's":
        basket.owner = get_user_model().objects.create_user("mei", "mei@example.cn", "x")
        basket.save()
    elif named == "gone":
        value = Signer().sign(str(basket.pk + 1000))
    else:
        value = f"{basket.pk}:forged"
    cookie = settings.OSCAR_BASKET_COOKIE_OPEN
    client.cookies[cookie] = value
    page = client.get(reverse("basket:summary"))
    assert page.status_code == 200
    assert page.context["basket"].num_items == 0 and "散养土鸡蛋" not in page.content.decode()
    assert page.cookies[cookie].value == "" and page.cookies[cookie]["max-age"] == 0
    basket.refresh_from_db()
    assert basket.num_items == 4 and basket.status == (
        Basket.SUBMITTED if named == "submitted" else Basket.OPEN
    )


@pytest.mark.django_db
def test_a_guests_own_basket_cookie_opens_her_basket(client, team, pickup_point):
    eggs = product_in_stock(team=team, title="散养土鸡蛋")
    client.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 3})
    page = client.get(reverse("basket:summary"))
    assert page.context["basket"].num_items == 3 and "散养土鸡蛋" in page.content.decode()
