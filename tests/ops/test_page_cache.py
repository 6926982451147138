"""The page cache: fast for anonymous buyers, never personal, never stale after a change."""

import re
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from shop.speed import page_cache
from tests.catalogue.factories import product_in_stock
from tests.ops.page_cache_kit import CATALOGUE, html, page_cache_on  # noqa: F401 (fixture)
from tests.partner.factories import UserFactory


def served_from_cache(response):
    return response.get(page_cache.HIT_HEADER) == "hit"


def add_to_basket(client, product, quantity=10):
    return client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})


@pytest.mark.django_db
def test_second_anonymous_view_is_served_from_cache_without_queries(
    client, eggs, django_assert_num_queries
):
    first = client.get(CATALOGUE)
    assert first.status_code == 200
    assert first[page_cache.HIT_HEADER] == "miss"
    with django_assert_num_queries(0):
        second = Client().get(CATALOGUE)
    assert served_from_cache(second)
    assert "散养土鸡蛋" in html(second)


@pytest.mark.django_db
def test_each_language_has_its_own_cached_copy(client, eggs):
    client.get(CATALOGUE)
    english = Client().get("/en" + CATALOGUE)
    assert not served_from_cache(english)
    assert 'lang="en"' in html(english)
    assert 'lang="zh-hans"' in html(Client().get(CATALOGUE))
    assert 'lang="en"' in html(Client().get("/en" + CATALOGUE))


@pytest.mark.django_db
def test_price_change_shows_on_the_next_view(client, eggs):
    url = eggs.get_absolute_url()
    assert "1.50" in html(client.get(url))
    assert served_from_cache(Client().get(url))
    stock = eggs.stockrecords.get()
    stock.price = D("2.30")
    stock.save()
    for page in (url, CATALOGUE):
        response = Client().get(page)
        assert "2.30" in html(response), page
        assert "1.50" not in html(response)


@pytest.mark.django_db
def test_sold_out_stock_shows_on_the_next_view(client, eggs):
    assert "加入购物车" in html(client.get(CATALOGUE))
    stock = eggs.stockrecords.get()
    stock.num_in_stock = 0
    stock.save()
    page = html(Client().get(CATALOGUE))
    assert "已售罄" in page
    assert "加入购物车" not in page


@pytest.mark.django_db
def test_product_rename_and_unpublish_show_on_the_next_view(client, eggs):
    client.get(CATALOGUE)
    eggs.title = "柴鸡蛋"
    eggs.save()
    assert "柴鸡蛋" in html(Client().get(CATALOGUE))
    eggs.is_public = False
    eggs.save()
    assert "柴鸡蛋" not in html(Client().get(CATALOGUE))


@pytest.mark.django_db
def test_a_newly_published_story_shows_on_the_next_view(client, home_page, team):
    from content.models import StoryIndexPage, StoryPage

    index = StoryIndexPage.objects.get()
    assert client.get(index.url).status_code == 200
    assert served_from_cache(Client().get(index.url))
    story = StoryPage(
        title="王大姐家的鸡蛋卖到了城里", slug="wang-eggs", summary="一篇故事", body=[]
    )
    index.add_child(instance=story)
    story.save_revision().publish()
    assert "王大姐家的鸡蛋卖到了城里" in html(Client().get(index.url))
    story.title = "王大姐家的鸡蛋又卖完了"
    story.save_revision().publish()
    response = Client().get(story.url)
    assert "王大姐家的鸡蛋又卖完了" in html(response)
    story.unpublish()
    assert "王大姐家的鸡蛋" not in html(Client().get(index.url))


@pytest.mark.django_db
def test_a_delivery_run_change_reaches_the_next_view(
    client, home_page, pickup_point, django_capture_on_commit_callbacks
):
    from tests.fulfilment.factories import open_run_at

    client.get("/")
    assert served_from_cache(Client().get("/"))
    generation = page_cache.current_generation()
    with django_capture_on_commit_callbacks(execute=True):  # stale from the commit on
        run = open_run_at(pickup_point)
    assert not served_from_cache(Client().get("/"))
    assert served_from_cache(Client().get("/"))
    with django_capture_on_commit_callbacks(execute=True):
        run.cutoff = run.cutoff.replace(year=run.cutoff.year - 1)
        run.save()
    assert not served_from_cache(Client().get("/"))
    assert page_cache.current_generation() == generation  # only the pages showing runs


@pytest.mark.django_db
def test_a_pickup_point_change_bumps_the_generation(pickup_point):
    before = page_cache.current_generation()
    pickup_point.window = "周日 9:00–11:00"
    pickup_point.save()
    assert page_cache.current_generation() > before


@pytest.mark.django_db
def test_an_allocation_makes_stale_only_the_pages_showing_that_stock(
    client, eggs, team, django_capture_on_commit_callbacks
):
    other = product_in_stock(team=team, title="小笨鸡")
    for url in (eggs.get_absolute_url(), other.get_absolute_url()):
        Client().get(url)
        assert served_from_cache(Client().get(url))
    generation = page_cache.current_generation()
    with django_capture_on_commit_callbacks(execute=True):
        eggs.stockrecords.get().allocate(10)
    assert page_cache.current_generation() == generation  # not the whole cache
    assert served_from_cache(Client().get(other.get_absolute_url()))
    assert not served_from_cache(Client().get(eggs.get_absolute_url()))


@pytest.mark.django_db
def test_anonymous_buyer_with_items_in_basket_gets_the_cached_page_with_own_count(client, eggs):
    Client().get(CATALOGUE)  # warm the cache with an empty-basket page
    assert add_to_basket(client, eggs).status_code == 302
    assert "oscar_open_basket" in client.cookies
    assert page_cache.HIT_HEADER not in client.get(CATALOGUE)  # shows "added to basket"
    response = client.get(CATALOGUE)
    assert response[page_cache.HIT_HEADER] == "hit-personal"
    assert re.search(r"data-basket-count>\s*10\s*<", html(response))
    assert re.search(r"data-basket-count>\s*0\s*<", html(Client().get(CATALOGUE)))


@pytest.mark.django_db
def test_signed_in_buyers_never_see_each_others_basket_or_account(eggs):
    alice_user = UserFactory(username="alice", email="alice@example.cn", first_name="艾丽")
    bob_user = UserFactory(username="bob", email="bob@example.cn", first_name="鲍勃")
    alice, bob, guest = Client(), Client(), Client()
    alice.force_login(alice_user)
    bob.force_login(bob_user)
    add_to_basket(alice, eggs, 20)

    for _ in range(2):  # the second round would be served from cache if anything were cached
        guest_page = guest.get(CATALOGUE)
        alice_page = alice.get(CATALOGUE)
        bob_page = bob.get(CATALOGUE)
        assert alice_page.get(page_cache.HIT_HEADER) in (None, "hit-personal")
        assert bob_page.get(page_cache.HIT_HEADER) in (None, "hit-personal")
        assert re.search(r"data-basket-count>\s*20\s*<", html(alice_page))
        assert re.search(r"data-basket-count>\s*0\s*<", html(bob_page))
        assert re.search(r"data-basket-count>\s*0\s*<", html(guest_page))
        signed_in_link = f'href="{reverse("customer:summary")}" class="tool-link"'
        assert signed_in_link not in html(guest_page)
        assert signed_in_link in html(alice_page) and signed_in_link in html(bob_page)
    alice_account = html(alice.get(reverse("customer:profile-view")))
    bob_account = html(bob.get(reverse("customer:profile-view")))
    assert "alice@example.cn" in alice_account and "bob@example.cn" not in alice_account
    assert "bob@example.cn" in bob_account and "alice@example.cn" not in bob_account


@pytest.mark.django_db
def test_a_cached_page_still_lets_a_buyer_add_to_basket(eggs):
    Client().get(CATALOGUE)
    buyer = Client(enforce_csrf_checks=True)
    page = buyer.get(CATALOGUE)
    assert served_from_cache(page)
    assert page_cache.CSRF_PLACEHOLDER not in html(page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html(page)).group(1)
    assert "csrftoken" in buyer.cookies
    response = buyer.post(
        reverse("basket:add", kwargs={"pk": eggs.pk}),
        {"quantity": 10, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    basket_page = buyer.get(reverse("basket:summary"))
    assert "散养土鸡蛋" in html(basket_page)


@pytest.mark.django_db
def test_forms_posts_and_personal_pages_are_never_cached(client, eggs):
    assert page_cache.HIT_HEADER not in client.get(reverse("basket:summary"))
    assert page_cache.HIT_HEADER not in client.get(reverse("customer:login"))
    assert page_cache.HIT_HEADER not in Client().get(reverse("customer:login"))
