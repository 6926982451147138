"""The basket page: quick to render, and it says where delivery is chosen."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
