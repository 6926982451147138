"""The header and footer parts rendered once for everyone: right language, own basket count
and account links for each buyer, and the category list as it now stands."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.partner.factories import UserFactory


def page(client, path="/shop/basket/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def basket_counts(html):
    header = re.search(r"data-basket-count>\s*(\d+)\s*<", html).group(1)
    tabbar = re.search(r'class="tabbar__count">\s*(\d+)\s*<', html).group(1)
    return int(header), int(tabbar)


def tools(html):
    """The header's account links, language link and basket count."""
    return html.split("site-header__tools")[1].split("</nav>")[0]


@pytest.mark.django_db
def test_each_buyer_sees_own_count_and_links_in_the_shared_header(eggs):
    alice, guest = Client(), Client()
    alice.force_login(UserFactory(username="alice", email="alice@example.cn"))
    alice.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 3})

    for _ in range(2):  # the second round uses the fragments the first one rendered
        mine, theirs = page(alice), page(guest)
        assert basket_counts(mine) == (3, 3)
        assert basket_counts(theirs) == (0, 0)
        assert "登录" not in tools(mine)
        assert "登录" in tools(theirs)
        assert "521助农小店" in mine and "驻村工作队联盟消费帮扶直营店" in theirs


@pytest.mark.django_db
def test_shared_fragments_follow_the_language(client):
    chinese = page(client)
    english = page(client, "/en/shop/basket/")
    assert 'href="/shop/catalogue/">全部产品' in chinese
    assert 'href="/en/shop/catalogue/">' in english
    assert "全部产品" not in english
    assert 'href="/shop/catalogue/">全部产品' in page(client)  # and back


@pytest.mark.django_db
def test_guests_on_a_drawn_page_each_see_their_own_count_and_language_links(eggs):
    """The basket page is drawn for each guest: the header's links and counts are her own
    (her count, this page in the other language), never another guest's."""
    add = reverse("basket:add", kwargs={"pk": eggs.pk})
    first, second = Client(), Client()
    first.post(add, {"quantity": 10})

    assert basket_counts(page(first)) == (10, 10)
    assert basket_counts(page(second)) == (0, 0)
    second.post(add, {"quantity": 20})
    assert basket_counts(page(second)) == (20, 20)
    first.post(add, {"quantity": 10})
    assert basket_counts(page(first)) == (20, 20)

    chinese, english = tools(page(first)), tools(page(first, "/en/shop/basket/"))
    assert 'href="/en/shop/basket/"' in chinese and ">EN<" in chinese and "登录" in chinese
    assert 'href="/shop/basket/"' in english and ">中文<" in english and "登录" not in english
    assert 'href="/en/shop/accounts/login/' in english
    assert 'href="/shop/checkout/confirm/"' not in chinese  # only this page's own address
    assert 'href="/en/shop/checkout/confirm/"' in tools(page(first, "/shop/checkout/confirm/"))
