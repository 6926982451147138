"""The page cache after an order: only the pages of what it touched are drawn again, one
request at a time; and a buyer with a session or a basket gets the stored page with only
the personal parts drawn for them."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop.speed import page_cache
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
from tests.partner.factories import UserFactory


def stock_shown(response):
    found = re.search(r"下一趟配送还剩\s*(\d+)", html(response))
    return int(found.group(1)) if found else None


@pytest.mark.django_db
def test_an_order_on_one_product_leaves_the_others_cached_and_shows_its_new_stock(
    client, eggs, team, run, django_capture_on_commit_callbacks
):
    cabbage = product_in_stock(team=team, title="大白菜", stock=50)
    eggs_url, cabbage_url = eggs.get_absolute_url(), cabbage.get_absolute_url()
    for url in (eggs_url, cabbage_url):
        assert how(Client().get(url)) == "miss"
    assert stock_shown(Client().get(eggs_url)) == 100
    assert stock_shown(Client().get(cabbage_url)) == 50

    buyer = Client()
    with django_capture_on_commit_callbacks(execute=True):
        add_to_basket(buyer, eggs, 30)
        start_guest_checkout(buyer)
        place(buyer, pickup_code(run))
    assert eggs.stockrecords.get().num_allocated == 30

    with CaptureQueriesContext(connection) as queries:
        cabbage_page = Client().get(cabbage_url)
    assert how(cabbage_page) == "hit" and len(queries) == 0
    # The eggs' page stays stored; how much is left is its live part (catalogue/live.py).
    eggs_page = Client().get(eggs_url)
    assert how(eggs_page) == "hit"
    assert stock_shown(eggs_page) == 70


@pytest.mark.django_db
def test_one_request_at_a_time_draws_a_stale_page_the_others_get_the_old_copy(
    eggs, django_capture_on_commit_callbacks
):
    url = eggs.get_absolute_url()
    Client().get(url)
    # An allocation outside an order (it does not say whether the record is still on sale)
    # makes every page showing the record stale.
    with django_capture_on_commit_callbacks(execute=True):
        eggs.stockrecords.get().allocate(5)
    drawing = Client()
    # A request that finds the page stale takes the key's lock before drawing it ...
    request = drawing.get(url)
    assert how(request) == "miss"
    with django_capture_on_commit_callbacks(execute=True):
        eggs.stockrecords.get().allocate(5)
    lock = page_cache.cache_key(_request_for(url), page_cache.current_generation()) + ":lock"
    assert cache.add(lock, 1, 30)  # ... as another worker is doing now
    meanwhile = Client().get(url)
    assert how(meanwhile) == "stale"  # the copy being replaced, with its live part drawn now
    assert stock_shown(meanwhile) == 90
    cache.delete(lock)
    fresh = Client().get(url)
    assert how(fresh) == "miss" and stock_shown(fresh) == 90


@pytest.mark.django_db
def test_a_page_nobody_stored_yet_is_waited_for_then_drawn_without_storing(eggs):
    url = eggs.get_absolute_url()
    lock = page_cache.cache_key(_request_for(url), page_cache.current_generation()) + ":lock"
    cache.add(lock, 1, 30)
    response = Client().get(url)
    assert response.status_code == 200 and how(response) is None
    cache.delete(lock)
    assert how(Client().get(url)) == "miss"
    assert how(Client().get(url)) == "hit"


def _request_for(url):
    from django.test import RequestFactory
    from django.utils import translation

    translation.activate("zh-hans")
    return RequestFactory().get(url)


# A signed-in buyer with a basket, whatever the page: the session (in the database without
# Redis), the user, her open basket's count, the desk link's permission check; measured 4.
PERSONAL_QUERIES = 4


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "catalogue", "category", "product"])
def test_a_signed_in_buyer_gets_the_cached_body_with_a_small_personal_part(pages, eggs, name):
    url = pages[name]
    assert how(Client().get(url)) == "miss"
    buyer = Client()
    buyer.force_login(UserFactory(username="mei", email="mei@example.cn"))
    add_to_basket(buyer, eggs, 3)
    assert how(buyer.get(url)) is None  # "added to basket" is shown by the view
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            page = buyer.get(url)
        counts.append(len(queries))
        assert how(page) == "hit-personal"
        assert re.search(r"data-basket-count>\s*3\s*<", html(page))
        assert f'href="{reverse("customer:summary")}" class="tool-link"' in html(page)
        assert "登录</a>" not in html(page)
    assert counts[1] <= PERSONAL_QUERIES, [q["sql"] for q in queries]
    # The badge is a count: one sum, not the lines loaded with their products.
    basket_reads = [q["sql"] for q in queries if "basket_line" in q["sql"]]
    assert len(basket_reads) == 1 and "SUM(" in basket_reads[0].upper(), basket_reads
    assert not any("catalogue_product" in sql for sql in basket_reads)
    guest = Client().get(url)
    assert how(guest) == "hit"
    assert re.search(r"data-basket-count>\s*0\s*<", html(guest))
    assert "登录</a>" in html(guest)


@pytest.mark.django_db
def test_two_guests_with_baskets_each_see_their_own_count(pages, eggs):
    Client().get(CATALOGUE)
    first, second = Client(), Client()
    for client, count in ((first, 2), (second, 7)):
        add_to_basket(client, eggs, count)
        client.get(CATALOGUE)  # shows "added to basket"
    for client, count in ((first, 2), (second, 7), (first, 2)):
        page = client.get(CATALOGUE)
        assert how(page) == "hit-personal"
        assert len(re.findall(rf"data-basket-count[^>]*>\s*{count}\s*<", html(page))) == 2


@pytest.mark.django_db
def test_flashed_messages_are_shown_by_the_view_not_the_cache(pages, eggs):
    Client().get(CATALOGUE)
    buyer = Client()
    response = add_to_basket(buyer, eggs, 2)
    page = buyer.get(CATALOGUE)
    if "messages" in response.cookies:
        assert how(page) is None
    assert how(buyer.get(CATALOGUE)) == "hit-personal"
