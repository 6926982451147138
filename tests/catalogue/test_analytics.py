"""Product counters: basket additions and purchases, as Oscar's reports read them
(catalogue.analytics). The catalogue's popular-first order reads what was handed over
instead (tests/catalogue/test_sort_figures.py)."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.catalogue.factories import product_in_stock
from tests.checkout.test_checkout import add_to_basket, guest_checkout

ProductRecord = get_model("analytics", "ProductRecord")
BasketLine = get_model("basket", "Line")


def record(product):
    return ProductRecord.objects.filter(product=product).first()


@pytest.mark.django_db
def test_basket_additions_are_counted_from_the_first_and_lines_are_not_duplicated(
    client, team, pickup_point
):
    eggs = product_in_stock(team=team, title="散养土鸡蛋")
    assert record(eggs) is None

    add_to_basket(client, eggs, 2)  # a new basket: its line is created without looking first
    add_to_basket(client, eggs, 3)  # the same basket: the line grows

    lines = BasketLine.objects.filter(product=eggs)
    assert [line.quantity for line in lines] == [5]
    counted = record(eggs)
    assert counted.num_basket_additions == 2
    assert counted.num_purchases == 0


@pytest.mark.django_db
def test_an_order_counts_its_quantities_as_purchases(
    client, eggs, pickup_point, team, django_capture_on_commit_callbacks
):
    quiet = product_in_stock(team=team, title="小葱")
    ProductRecord.objects.create(product=quiet, num_purchases=3)
    ProductRecord.objects.create(product=eggs, num_purchases=1, num_basket_additions=4)

    add_to_basket(client, eggs, 10)
    with django_capture_on_commit_callbacks(execute=True):  # counted once the order is saved
        response = guest_checkout(client, point=pickup_point)
    assert response.status_code == 302

    counted = record(eggs)
    assert (counted.num_purchases, counted.num_basket_additions) == (11, 5)
    assert record(quiet).num_purchases == 3
    # Placed is not handed over: the popular-first order does not move yet.
    popular = client.get(reverse("catalogue:index"), {"sort": "popular"}).content.decode()
    newest = client.get(reverse("catalogue:index"), {"sort": "newest"}).content.decode()
    eggs_link, quiet_link = eggs.get_absolute_url(), quiet.get_absolute_url()
    assert popular.index(quiet_link) < popular.index(eggs_link)
    assert newest.index(quiet_link) < newest.index(eggs_link)
