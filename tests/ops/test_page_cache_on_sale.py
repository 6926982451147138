"""The page cache after an order, for the pages that show a product without its stock: a
card or a search hit shows only whether it can be bought (the add button or 已售罄), so an
order that leaves some for sale keeps those pages stored. The product page, which says how
much is left, stays stored as well: that line is its live part, drawn again on every
answer (catalogue/live.py). During a sale every order is on the same few products, and
each used to empty the catalogue, its category, the search and the home page."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.catalogue.factories import product_in_stock
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import pickup_code
from tests.fulfilment.test_checkout_runs import place, start_guest_checkout
from tests.ops.page_cache_kit import (  # noqa: F401 (fixtures)
    CATALOGUE,
    how,
    html,
    page_cache_on,
)


def _order(product, quantity, run, capture):
    buyer = Client()
    with capture(execute=True):
        add_to_basket(buyer, product, quantity)
        start_guest_checkout(buyer)
        place(buyer, pickup_code(run))
    record = product.stockrecords.get()
    assert record.num_allocated == quantity  # the order was placed
    return record


def _card_sold_out(page, product):
    """Whether the product's card on a list page says 已售罄 instead of offering the add
    button."""
    card = re.search(
        rf'<article class="product-card[^"]*">(?:(?!</article>).)*?{re.escape(product.get_absolute_url())}'
        r"(?:(?!</article>).)*</article>",
        html(page),
        re.S,
    )
    assert card, f"no card for {product}"
    return "已售罄" in card.group(0)


@pytest.mark.django_db
def test_an_order_leaving_stock_keeps_the_list_pages_stored_and_redraws_the_product_page(
    pages, eggs, run, django_capture_on_commit_callbacks
):
    lists = (pages["catalogue"], pages["category"])
    for url in (*lists, pages["product"]):
        assert how(Client().get(url)) == "miss"
        assert how(Client().get(url)) == "hit"

    _order(eggs, 30, run, django_capture_on_commit_callbacks)

    for url in lists:
        with CaptureQueriesContext(connection) as queries:
            page = Client().get(url)
        assert how(page) == "hit" and len(queries) == 0, url
        assert not _card_sold_out(page, eggs)
    # The product page stays stored too: how much is left is its live part, read once
    # after the order and then kept until the next change of the stock.
    with CaptureQueriesContext(connection) as queries:
        product_page = Client().get(pages["product"])
    assert how(product_page) == "hit"
    assert re.search(r"下一趟配送还剩\s*70", html(product_page))
    assert len(queries) == 1, [q["sql"] for q in queries]
    with CaptureQueriesContext(connection) as queries:
        again = Client().get(pages["product"])
    assert re.search(r"下一趟配送还剩\s*70", html(again)) and len(queries) == 0


@pytest.mark.django_db
def test_an_order_taking_the_last_units_redraws_the_list_pages_with_sold_out(
    pages, team, run, django_capture_on_commit_callbacks
):
    ducks = product_in_stock(team=team, title="土鸭蛋", stock=6)
    assert how(Client().get(CATALOGUE)) == "miss"
    assert not _card_sold_out(Client().get(CATALOGUE), ducks)

    _order(ducks, 6, run, django_capture_on_commit_callbacks)

    page = Client().get(CATALOGUE)
    assert how(page) == "miss"
    assert _card_sold_out(page, ducks)
    product_page = Client().get(ducks.get_absolute_url())
    assert "已售罄" in html(product_page)


@pytest.mark.django_db
def test_the_stored_product_page_follows_the_stock_in_both_languages_and_for_a_buyer(
    pages, eggs, run, django_capture_on_commit_callbacks
):
    url, english = pages["product"], "/en" + pages["product"]
    for address in (url, english):
        Client().get(address)
    assert re.search(r"下一趟配送还剩\s*100", html(Client().get(url)))

    _order(eggs, 4, run, django_capture_on_commit_callbacks)
    buyer = Client()
    add_to_basket(buyer, eggs, 2)
    buyer.get("/shop/basket/")
    for client, address, text in (
        (Client(), url, r"下一趟配送还剩\s*96"),
        (Client(), english, r"96 eggs left for the next delivery"),
        (buyer, url, r"下一趟配送还剩\s*96"),
    ):
        page = client.get(address)
        assert how(page) in ("hit", "hit-personal"), address
        assert re.search(text, html(page)), (address, text)

    # A team's stock edit (more eggs collected) shows at once on the stored page.
    record = eggs.stockrecords.get()
    with django_capture_on_commit_callbacks(execute=True):
        record.num_in_stock = 150
        record.save()
    for _ in range(2):  # drawn again (a stock edit makes every page stale), then a hit
        page = Client().get(url)
        assert re.search(r"下一趟配送还剩\s*146", html(page))
    assert how(page) == "hit"
