"""The page a buyer sees right after placing an order: what, where, how to pay, what next."""

import html as html_lib
from decimal import Decimal as D

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.buyer import links
from tests.catalogue.factories import product_in_stock
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import pickup_code
from tests.fulfilment.test_checkout_runs import place, start_guest_checkout

Order = get_model("order", "Order")


def order_and_thank_you(client, team, eggs, pickup_point, prefix=""):
    chickens = product_in_stock(team=team, title="农家小笨鸡", price=D("128"), stock=9)
    add_to_basket(client, eggs, 10)
    add_to_basket(client, chickens, 1)
    start_guest_checkout(client)
    response = place(client, pickup_code(pickup_point.runs.get()))
    assert response["Location"].endswith(reverse("checkout:thank-you"))
    page = client.get(prefix + reverse("checkout:thank-you"))
    assert page.status_code == 200
    return Order.objects.get(), html_lib.unescape(page.content.decode())


@pytest.mark.django_db
def test_thank_you_page_says_what_where_how_to_pay_and_links_to_the_order(
    client, team, eggs, pickup_point
):
    order, page = order_and_thank_you(client, team, eggs, pickup_point)
    assert f"订单号 <strong>{order.number}</strong>" in page
    assert order.shipping_method in page and pickup_point.name in page
    assert "林小满" in page and "138 1234 5678" in page
    assert "取货时付款（现金或扫码转账）：¥143.00" in page
    assert "散养土鸡蛋" in page and "× 10" in page and "¥15.00" in page
    assert "农家小笨鸡" in page and "¥128.00" in page
    status_link = links.order_path(order)  # the signed link the text message carries too
    assert f'href="{status_link}"' in page
    followed = client.get(status_link, follow=True)
    assert followed.status_code == 200 and order.number in followed.content.decode()


@pytest.mark.django_db
def test_thank_you_page_in_english_names_the_payment_way_in_english(
    client, team, eggs, pickup_point
):
    order, page = order_and_thank_you(client, team, eggs, pickup_point, prefix="/en")
    assert "Order placed" in page and order.number in page
    assert "Pay on pickup (cash or QR code transfer): ¥143.00" in page
    assert "取货时付款" not in page and "：" not in page.split("Payment", 1)[1][:200]
