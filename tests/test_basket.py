"""The basket page: quick to render, and it says where delivery is chosen."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories


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
    first = factories.product_in_stock(team=team, title="散养土鸡蛋")
    client.post(reverse("basket:add", kwargs={"pk": first.pk}), {"quantity": 1})
    one_line, html = basket_queries(client)
    assert "结算时选择自提点" in html
    for i in range(5):
        product = factories.product_in_stock(team=team, title=f"时令蔬菜{i}")
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    six_lines, html = basket_queries(client)
    assert "时令蔬菜4" in html
    assert six_lines == one_line
    assert one_line <= 14
