"""Under /en/ the shop answers in English and its links stay under /en/."""

import re

import pytest
from django.urls import reverse

from shop.demo import data
from shop.search import documents
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import pickup_code as method_code


@pytest.mark.django_db
@pytest.mark.parametrize("words", ["eggs", "egg", "free-range"])
def test_english_search_finds_the_eggs_and_links_stay_english(client, eggs, words):
    eggs.search_words_en = "free-range egg eggs"
    eggs.save()
    documents.index_product(eggs)

    html = client.get("/en/search/", {"q": words}).content.decode()

    assert "散养土鸡蛋" in html
    hits = re.findall(r'class="search-hit__title" href="([^"]+)"', html)
    assert hits and all(href.startswith("/en/") for href in hits)


@pytest.mark.django_db
def test_search_results_under_en_link_to_english_pages(client, eggs):
    documents.index_product(eggs)  # indexed while Chinese is the active language
    chinese_page = eggs.get_absolute_url()

    html = client.get("/en/search/", {"q": "鸡蛋"}).content.decode()

    hits = re.findall(r'class="search-hit__title" href="([^"]+)"', html)
    assert hits == ["/en" + chinese_page]


@pytest.mark.django_db
def test_category_english_words_find_its_products(client, eggs):
    from catalogue.models import Category, ProductCategory

    category = Category.add_root(name="鸡蛋", slug="eggs", search_words_en="eggs poultry-eggs")
    ProductCategory.objects.create(product=eggs, category=category)
    documents.index_product(eggs)

    assert "散养土鸡蛋" in client.get("/en/search/", {"q": "eggs"}).content.decode()


def test_demo_sells_no_fruit_or_vegetable_by_the_bird():
    by_bird = [row[0] for row in data.PRODUCTS if row[2] == "zhi"]
    assert "北坡西瓜" not in by_bird
    assert all(row[1] == "禽类" for row in data.PRODUCTS if row[2] == "zhi")
    assert data.PRODUCT_WORDS_EN["散养土鸡蛋"].split()[:3] == ["free-range", "egg", "eggs"]


@pytest.mark.django_db
def test_pickup_is_labelled_pickup_not_free_delivery_in_english(client, eggs, run):
    add_to_basket(client, eggs, 10)

    html = client.get("/en" + reverse("checkout:confirm")).content.decode()

    assert method_code(run) in html
    assert "Pickup, no fee" in html
    assert "Free delivery" not in html
