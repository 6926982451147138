"""Offers, vouchers and product options are skipped while the shop has none, and work as
Oscar's as soon as a team creates one (shop/basket/features.py)."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import OptionFactory, create_offer

from shop.basket.features import offers_exist, options_exist
from tests.checkout.test_checkout import add_to_basket, guest_checkout

Order = get_model("order", "Order")


@pytest.mark.django_db
def test_an_offer_created_while_buyers_shop_applies_at_once(client, eggs, pickup_point):
    add_to_basket(client, eggs, 10)
    assert not offers_exist()
    page = client.get(reverse("basket:summary"))
    assert page.context["basket"].total_incl_tax == D("15.00")

    create_offer(name="春节八折")  # 20% off everything, from now on
    page = client.get(reverse("basket:summary"))
    assert page.context["basket"].total_incl_tax == D("12.00")
    assert "春节八折" in page.content.decode()

    response = guest_checkout(client, point=pickup_point)
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.total_incl_tax == D("12.00")
    assert order.discounts.get().offer_name == "春节八折"


@pytest.mark.django_db
def test_a_required_product_option_is_asked_for_once_it_exists(client, eggs):
    add_to_basket(client, eggs, 10)
    assert not options_exist()
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 10

    option = OptionFactory(name="蛋托", code="tray", required=True)
    eggs.product_class.options.add(option)
    add_to_basket(client, eggs, 10)  # no tray chosen: refused with a message
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 10

    client.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 10, "tray": "纸托"})
    basket = client.get(reverse("basket:summary")).context["basket"]
    assert basket.num_items == 20
    assert [
        line.attributes.get().value for line in basket.all_lines() if line.attributes.exists()
    ] == ["纸托"]
