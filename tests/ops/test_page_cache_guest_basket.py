"""A guest with a basket (the signed basket cookie, no session) on a stored page: the
header and the tab bar show the basket's count, kept in the shared cache
(shop/basket/counts.py), so the hit asks the database nothing (the count was kept when a
page she saw last loaded her basket, or read once); every change of the basket shows on
the next page, and a cookie naming a basket that is no longer open is deleted."""

import re
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.signing import Signer
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from shop.basket import counts
from tests.basket.test_basket_badge import basket_form
from tests.catalogue.factories import product_in_stock
from tests.checkout.test_checkout import add_to_basket, guest_checkout
from tests.ops.page_cache_kit import CATALOGUE, how, html, page_cache_on  # noqa: F401

Basket = get_model("basket", "Basket")
COOKIE = settings.OSCAR_BASKET_COOKIE_OPEN


def shown_counts(response):
    return [int(n) for n in re.findall(r"data-basket-count[^>]*>\s*(\d+)\s*<", html(response))]


def stored(*urls):
    for url in urls:
        Client().get(url)
        assert how(Client().get(url)) == "hit"


def cookie_only(basket_cookie):
    """A browser holding the basket cookie and nothing else (no session)."""
    browser = Client()
    browser.cookies[COOKIE] = basket_cookie
    return browser


def guest_with(product, quantity, on_commit):
    guest = Client()
    with on_commit(execute=True):
        add_to_basket(guest, product, quantity)
    guest.get(reverse("basket:summary"))  # shows (and so empties) "added to basket"
    assert settings.SESSION_COOKIE_NAME not in guest.cookies
    return guest


def page_for(guest, url, queries=None, served="hit-personal"):
    with CaptureQueriesContext(connection) as captured:
        page = guest.get(url)
    assert how(page) == served
    if queries is not None:
        assert len(captured) == queries, [q["sql"] for q in captured]
    return page


@pytest.mark.django_db
def test_a_guests_hit_shows_the_count_and_asks_the_database_nothing(
    pages, eggs, django_capture_on_commit_callbacks
):
    stored(*pages.values())
    guest = guest_with(eggs, 4, django_capture_on_commit_callbacks)
    first = page_for(guest, pages["product"], queries=0)  # kept by the basket page
    assert shown_counts(first) == [4, 4]
    for url in pages.values():
        assert shown_counts(page_for(guest, url, queries=0)) == [4, 4]
    assert how(Client().get(pages["home"])) == "hit"  # the stored copy stays nobody's
    assert shown_counts(Client().get(pages["home"])) == [0, 0]


@pytest.mark.django_db
def test_a_guests_next_page_shows_each_change_of_the_basket(
    pages, team, eggs, django_capture_on_commit_callbacks
):
    chickens = product_in_stock(team=team, title="农家小笨鸡", price=128, stock=9)
    stored(CATALOGUE)
    guest = guest_with(eggs, 10, django_capture_on_commit_callbacks)
    # Her pages read by a browser with her basket cookie alone (her own still holds the
    # flashed messages of each change, shown by the next page drawn for her).
    browser = cookie_only(guest.cookies[COOKIE].value)
    assert shown_counts(page_for(browser, CATALOGUE, queries=0)) == [10, 10]

    with django_capture_on_commit_callbacks(execute=True):
        add_to_basket(guest, chickens, 1)  # another line
    assert shown_counts(page_for(browser, CATALOGUE, queries=1)) == [11, 11]  # read again
    assert shown_counts(page_for(browser, CATALOGUE, queries=0)) == [11, 11]

    with django_capture_on_commit_callbacks(execute=True):
        add_to_basket(guest, eggs, 10)  # more of a line it holds
    assert shown_counts(page_for(browser, CATALOGUE)) == [21, 21]

    data, (eggs_form, chickens_form) = basket_form(guest)
    data[f"{eggs_form}-quantity"] = "30"  # a quantity changed on the basket page
    with django_capture_on_commit_callbacks(execute=True):
        guest.post(reverse("basket:summary"), data)
    assert shown_counts(page_for(browser, CATALOGUE)) == [31, 31]

    data, _ = basket_form(guest)
    data[f"{chickens_form}-DELETE"] = "on"  # a line removed
    with django_capture_on_commit_callbacks(execute=True):
        guest.post(reverse("basket:summary"), data)
    assert shown_counts(page_for(browser, CATALOGUE)) == [30, 30]

    basket = Basket.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        basket.flush()  # every line deleted with one queryset
    assert shown_counts(page_for(browser, CATALOGUE)) == [0, 0]


@pytest.mark.django_db
def test_after_the_order_the_cookie_of_the_submitted_basket_is_deleted(
    pages, eggs, pickup_point, django_capture_on_commit_callbacks
):
    stored(CATALOGUE)
    guest = guest_with(eggs, 10, django_capture_on_commit_callbacks)
    basket_cookie = guest.cookies[COOKIE].value
    browser = cookie_only(basket_cookie)  # the same basket, on a page without a session
    assert shown_counts(page_for(browser, CATALOGUE)) == [10, 10]
    assert shown_counts(page_for(browser, CATALOGUE, queries=0)) == [10, 10]

    with django_capture_on_commit_callbacks(execute=True):
        placed = guest_checkout(guest, point=pickup_point)
    assert placed["Location"].endswith(reverse("checkout:thank-you"))
    assert Basket.objects.get().status == Basket.SUBMITTED

    # The order left eggs for sale: the catalogue stays stored, and the guest's parts show
    # the submitted basket's cookie is gone.
    after = page_for(browser, CATALOGUE)
    assert shown_counts(after) == [0, 0]
    assert after.cookies[COOKIE].value == "" and after.cookies[COOKIE]["max-age"] == 0
    assert COOKIE not in browser.cookies or not browser.cookies[COOKIE].value


def basket_of(eggs, quantity):
    basket = Basket.objects.create()
    basket.lines.create(
        product=eggs, stockrecord=eggs.stockrecords.get(), quantity=quantity, line_reference="x"
    )
    return basket


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Basket.SUBMITTED, Basket.MERGED, Basket.FROZEN])
def test_a_cookie_naming_a_basket_no_longer_open_is_deleted(
    pages, eggs, status, django_capture_on_commit_callbacks
):
    stored(CATALOGUE)
    basket = basket_of(eggs, 3)
    browser = cookie_only(Signer().sign(basket.pk))
    assert shown_counts(page_for(browser, CATALOGUE)) == [3, 3]
    assert shown_counts(page_for(browser, CATALOGUE, queries=0)) == [3, 3]  # kept
    with django_capture_on_commit_callbacks(execute=True):
        basket.status = status
        basket.save()
    for queries in (1, 0):  # also when the answer was kept
        page = page_for(cookie_only(Signer().sign(basket.pk)), CATALOGUE, queries=queries)
        assert shown_counts(page) == [0, 0]
        assert page.cookies[COOKIE]["max-age"] == 0


@pytest.mark.django_db
def test_a_cookie_that_is_not_signed_is_deleted_without_a_query(pages):
    stored(CATALOGUE)
    page = page_for(cookie_only("12:forged"), CATALOGUE, queries=0)
    assert shown_counts(page) == [0, 0]
    assert page.cookies[COOKIE]["max-age"] == 0


@pytest.mark.django_db
def test_a_count_read_before_a_change_committed_is_read_again(pages, eggs):
    """A count read while the basket changed (its store came after the change's note) is
    older than the note: not shown."""
    stored(CATALOGUE)
    basket = basket_of(eggs, 6)
    read_at = time.time_ns()
    cache.set(counts.COUNT_KEY.format(basket.pk), (2, read_at), 60)
    cache.set(counts.CHANGED_KEY.format(basket.pk), read_at + 1, 60)
    browser = cookie_only(Signer().sign(basket.pk))
    assert shown_counts(page_for(browser, CATALOGUE, queries=1)) == [6, 6]
    assert shown_counts(page_for(browser, CATALOGUE, queries=0)) == [6, 6]


@pytest.mark.django_db
def test_a_guests_parts_are_those_of_the_page_and_language_asked_for(
    pages, eggs, django_capture_on_commit_callbacks
):
    english = "/en" + pages["product"]
    stored(pages["product"], CATALOGUE, english)
    guest = guest_with(eggs, 4, django_capture_on_commit_callbacks)
    for url in (pages["product"], CATALOGUE, english, pages["product"], english):
        page = page_for(guest, url)
        anonymous = Client().get(url)
        tools = r"<!--personal:tools-->(.*?)<!--/personal-->"
        drawn_for_guest = re.search(tools, html(page), re.S).group(1)
        drawn_for_nobody = re.search(tools, html(anonymous), re.S).group(1)
        assert drawn_for_guest == drawn_for_nobody.replace(">0<", ">4<"), url
        assert shown_counts(page) == [4, 4]
    assert 'href="/en/shop/catalogue/"' in html(page_for(guest, CATALOGUE))


@pytest.mark.django_db
def test_a_count_a_page_loaded_is_kept_and_not_used_if_the_basket_changed_meanwhile(
    pages, eggs, django_capture_on_commit_callbacks
):
    stored(CATALOGUE)
    basket = basket_of(eggs, 6)
    browser = cookie_only(Signer().sign(basket.pk))
    browser.get(reverse("basket:summary"))  # loads the basket's lines: their count is kept
    assert shown_counts(page_for(browser, CATALOGUE, queries=0)) == [6, 6]

    with django_capture_on_commit_callbacks(execute=True):
        basket.lines.update(quantity=8)  # no signal: noted by hand below
    # A change noted after the basket page began (it committed while the page read the
    # lines, say): what the page read is not shown.
    cache.set(counts.CHANGED_KEY.format(basket.pk), time.time_ns() + 10**10, 60)
    browser.get(reverse("basket:summary"))
    assert shown_counts(page_for(browser, CATALOGUE, queries=1)) == [8, 8]
