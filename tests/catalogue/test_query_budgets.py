"""Listing pages cost a fixed number of SQL queries, whatever the number of products."""

import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from catalogue.models import Category, ProductImage
from tests.catalogue.factories import VillageFactory, product_in_stock


def tiny_png():
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "#f0d9b5").save(buf, "PNG")
    return ContentFile(buf.getvalue(), name="egg.png")


def make_products(team, category, n):
    village = VillageFactory()
    products = []
    for i in range(n):
        product = product_in_stock(team=team, title=f"土鸡蛋{i}", origin_village=village)
        product.categories.add(category)
        image = ProductImage(product=product, display_order=0)
        image.original.save(f"egg{i}.png", tiny_png(), save=False)
        image.save()
        products.append(product)
    return products


def queries_for(client, url):
    client.get(url)  # warm per-process caches (site, chrome, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def category(db):
    return Category.add_root(name="鸡蛋", slug="eggs")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "catalogue", "category"])
def test_listing_query_count_does_not_grow_with_products(client, home_page, team, category, page):
    urls = {
        "home": "/",
        "catalogue": reverse("catalogue:index"),
        "category": category.get_absolute_url(),
    }
    make_products(team, category, 10)
    with_10 = queries_for(client, urls[page])
    make_products(team, category, 40)
    with_50 = queries_for(client, urls[page])
    assert with_50 == with_10
    assert with_10 <= 25


@pytest.mark.django_db
def test_product_page_query_count_is_fixed(client, home_page, team, category):
    products = make_products(team, category, 10)
    first = queries_for(client, products[0].get_absolute_url())
    make_products(team, category, 40)
    assert queries_for(client, products[0].get_absolute_url()) == first
    assert first <= 40
