"""The page cache for pages first asked for by someone personal (a signed-in buyer, a guest
with a basket), pages showing delivery runs, and searches.

A personal miss draws the page once as an anonymous visitor would get it, stores that, and
serves the buyer from it with their own parts: the stored copy holds nothing of theirs.
A run's change makes stale only the pages showing runs. A query string is stored only
once it is asked for again."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shop.speed import page_cache
from tests.checkout.test_checkout import add_to_basket
from tests.content.conftest import make_story
from tests.ops.page_cache_kit import (  # noqa: F401 (fixtures)
    CATALOGUE,
    how,
    html,
    page_cache_on,
)
from tests.partner.factories import UserFactory


def stored_copy(url):
    translation.activate("zh-hans")
    key = page_cache.cache_key(RequestFactory().get(url), page_cache.current_generation())
    stored = cache.get(key)
    return None if stored is None else stored[0].decode()


def basket_count(response):
    return [int(n) for n in re.findall(r"data-basket-count[^>]*>\s*(\d+)\s*<", html(response))]


def signed_in_with_basket(eggs, username, email, first_name, quantity):
    buyer = Client()
    buyer.force_login(UserFactory(username=username, email=email, first_name=first_name))
    add_to_basket(buyer, eggs, quantity)
    buyer.get(reverse("basket:summary"))  # shows (and so empties) "added to basket"
    return buyer


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "catalogue", "category", "product"])
def test_a_page_first_asked_for_by_a_signed_in_buyer_is_stored_with_nothing_of_theirs(
    pages, eggs, name
):
    url = pages[name]
    alice = signed_in_with_basket(eggs, "alice_w", "alice@example.cn", "艾丽", 7)
    first = alice.get(url)
    assert first.status_code == 200 and how(first) == "miss-personal"
    assert set(basket_count(first)) == {7}
    assert f'href="{reverse("customer:summary")}" class="tool-link"' in html(first)

    stored = stored_copy(url)
    assert stored is not None
    alice_token = alice.cookies["csrftoken"].value
    for trace in ("alice_w", "alice@example.cn", "艾丽", alice_token):
        assert trace not in stored
    assert set(re.findall(r"data-basket-count[^>]*>\s*(\d+)\s*<", stored)) == {"0"}
    assert "登录</a>" in stored  # drawn for nobody signed in

    bob = Client()
    bob.force_login(UserFactory(username="bob_l", email="bob@example.cn"))
    assert how(bob.get(url)) == "hit-personal"  # his first page also opens his basket
    with CaptureQueriesContext(connection) as queries:
        bob_page = bob.get(url)
    assert how(bob_page) == "hit-personal"
    assert set(basket_count(bob_page)) == {0}
    assert len(queries) <= 8, [q["sql"] for q in queries]  # his parts, not the page
    guest_page = Client().get(url)
    assert how(guest_page) == "hit"
    assert "登录</a>" in html(guest_page)
    for page in (bob_page, guest_page):
        for trace in ("alice_w", "alice@example.cn", "艾丽", alice_token):
            assert trace not in html(page)
        assert 7 not in basket_count(page)


@pytest.mark.django_db
def test_a_guest_with_a_basket_first_on_a_page_gets_it_drawn_once_then_from_the_cache(pages, eggs):
    guest = Client()
    add_to_basket(guest, eggs, 4)
    guest.get(reverse("basket:summary"))
    assert how(guest.get(CATALOGUE)) == "miss-personal"
    with CaptureQueriesContext(connection) as queries:
        again = guest.get(CATALOGUE)
    assert how(again) == "hit-personal" and set(basket_count(again)) == {4}
    assert len(queries) <= 8
    assert how(Client().get(CATALOGUE)) == "hit"


@pytest.mark.django_db
def test_a_page_drawn_with_a_buyers_messages_is_not_stored_with_them(pages, eggs):
    buyer = Client()
    buyer.force_login(UserFactory(username="mei", email="mei@example.cn"))
    add_to_basket(buyer, eggs, 2)
    page = buyer.get(CATALOGUE)  # never stored yet, and "added to basket" to show
    assert page.status_code == 200 and how(page) is None
    shown = [str(message) for message in page.context["messages"]]
    assert shown and all(text in html(page) for text in shown)

    assert stored_copy(CATALOGUE) is None
    guest_page = Client().get(CATALOGUE)
    assert how(guest_page) == "miss"
    assert not any(text in html(guest_page) for text in shown)
    stored = stored_copy(CATALOGUE)
    assert stored is not None and not any(text in stored for text in shown)
    assert how(buyer.get(CATALOGUE)) == "hit-personal"


# --- pages showing delivery runs ----------------------------------------------------------


@pytest.fixture
def story_with_eggs(home_page, eggs):
    from content.models import StoryIndexPage

    return make_story(
        StoryIndexPage.objects.get(),
        title="王大姐的鸡蛋",
        slug="wang-eggs",
        body=[("product", {"product": eggs, "note": ""})],
    )


@pytest.mark.django_db
def test_a_run_change_makes_stale_only_the_pages_showing_its_runs(
    story_with_eggs, eggs, run, veg, django_capture_on_commit_callbacks
):
    story_url, veg_url = story_with_eggs.url, veg.get_absolute_url()
    for url in (story_url, "/", veg_url):
        assert how(Client().get(url)) == "miss"
        assert how(Client().get(url)) == "hit"
    assert "截止下单" in html(Client().get(story_url))  # the card shows run A's cut-off
    generation = page_cache.current_generation()

    new_cutoff = run.cutoff + datetime.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        run.cutoff = new_cutoff
        run.save()

    assert page_cache.current_generation() == generation  # not the whole cache
    with CaptureQueriesContext(connection) as queries:
        unrelated = Client().get(veg_url)
    assert how(unrelated) == "hit" and len(queries) == 0
    for url in (story_url, "/"):
        assert how(Client().get(url)) == "miss"
        assert how(Client().get(url)) == "hit"


@pytest.mark.django_db
def test_a_closed_run_leaves_the_cards_of_the_other_team_cached(
    story_with_eggs, run, veg, veg_run, home_page, django_capture_on_commit_callbacks
):
    from content.models import StoryIndexPage
    from fulfilment import runs

    veg_story = make_story(
        StoryIndexPage.objects.get(),
        title="柳河的小白菜",
        slug="veg",
        body=[("product", {"product": veg, "note": ""})],
    )
    for url in (story_with_eggs.url, veg_story.url):
        Client().get(url)
        assert how(Client().get(url)) == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        runs.change_status(run, runs.Status.CLOSED)
    assert how(Client().get(veg_story.url)) == "hit"
    redrawn = Client().get(story_with_eggs.url)
    assert how(redrawn) == "miss"


# --- searches and stories -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_search_is_stored_only_once_it_is_asked_again(eggs):
    url = reverse("site-search") + "?q=鸡蛋"
    first = Client().get(url)
    assert first.status_code == 200 and how(first) is None  # drawn, not stored
    assert stored_copy(url) is None
    assert how(Client().get(url)) == "miss"
    with CaptureQueriesContext(connection) as queries:
        third = Client().get(url)
    assert how(third) == "hit" and len(queries) == 0
    buyer = Client()
    buyer.force_login(UserFactory(username="lin", email="lin@example.cn"))
    assert how(buyer.get(url)) == "hit-personal"


@pytest.mark.django_db
def test_one_off_searches_leave_no_page_behind_for_anyone(eggs):
    buyer = Client()
    buyer.force_login(UserFactory(username="lin", email="lin@example.cn"))
    for word in ("鸡", "蛋", "土鸡蛋", "白菜", "zzz"):
        url = reverse("site-search") + f"?q={word}"
        client = buyer if word == "鸡" else Client()
        assert how(client.get(url)) is None and stored_copy(url) is None, word
    url = reverse("site-search") + "?q=鸡"
    assert how(buyer.get(url)) == "miss-personal"  # asked before: drawn once and stored
    assert how(Client().get(url)) == "hit"


@pytest.mark.django_db
def test_a_story_first_read_by_a_signed_in_buyer_is_then_a_hit_for_everyone(story_with_eggs):
    buyer = Client()
    buyer.force_login(UserFactory(username="li", email="li@example.cn"))
    assert how(buyer.get(story_with_eggs.url)) == "miss-personal"
    assert how(buyer.get(story_with_eggs.url)) == "hit-personal"
    assert how(Client().get(story_with_eggs.url)) == "hit"
