"""A guest's first add to basket hands placing the order what it needs: the order line
names the team and copies the line's options, and neither is read again."""

import pytest
from oscar.core.loading import get_class, get_model

from catalogue.models import Product
from tests.catalogue.factories import ProductFactory

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")


def new_basket_with(product):
    basket = Basket()
    basket.strategy = Selector().strategy()
    line, created = basket.add_product(product, 2)
    assert created
    return basket, line


@pytest.mark.django_db
def test_first_line_of_a_new_basket_knows_its_team_and_has_no_options(
    eggs, team, django_assert_num_queries
):
    product = Product.objects.get(pk=eggs.pk)  # as a page loads it: stock records not read
    basket, line = new_basket_with(product)
    with django_assert_num_queries(0):
        assert line.stockrecord.partner == team
        assert list(line.attributes.all()) == []
        assert [line.pk for line in basket.all_lines()] == [line.pk]
    assert basket.lines.get().stockrecord.partner_id == team.pk


@pytest.mark.django_db
def test_stock_records_already_prefetched_are_used_as_they_are(eggs, django_assert_num_queries):
    product = Product.objects.prefetch_related("stockrecords").get(pk=eggs.pk)
    strategy = Selector().strategy()
    record = eggs.stockrecords.get()
    with django_assert_num_queries(0):
        assert strategy.select_stockrecord(product) == record


@pytest.mark.django_db
def test_a_product_without_stock_records_has_none(db):
    product = ProductFactory()
    assert not product.stockrecords.exists()
    assert Selector().strategy().select_stockrecord(Product.objects.get(pk=product.pk)) is None
