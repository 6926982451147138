"""The basket page and the order confirmation are drawn for each buyer inside a frame each
worker keeps (shop/speed/frames.py): whoever draws the frame first, everyone else gets
their own header, messages, lines, CSRF token and script nonce, and nothing of hers."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests.catalogue.factories import Category
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import pickup_code
from tests.partner.factories import UserFactory, team_member
from tests.security.test_headers import assert_every_inline_script_may_run, nonce_of

Order = get_model("order", "Order")
BASKET = "/shop/basket/"
CONFIRM = "/shop/checkout/confirm/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def tools(html):
    return html.split("site-header__tools")[1].split("</nav>")[0]


def messages(html):
    """The flashed messages, between their box and the page's heading or content."""
    box = html.split('<div id="messages">')[1]
    return re.split(r'<div class="(?:content|sub-header)">', box)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [BASKET, CONFIRM])
def test_the_buyer_who_draws_the_frame_leaves_nothing_of_hers_in_it(eggs, run, team, path):
    """A team member, signed in with a message waiting, is the first to open the page in
    this worker; a guest then gets the same page drawn for him."""
    member = Client()
    member.force_login(team_member(team, username="zhang.li"))
    add_to_basket(member, eggs, 10)  # flashes "已加入购物车" for her next page
    hers = text(member.get(path))
    assert "我的" in tools(hers) and "工作台" in tools(hers)
    assert "已加入购物车" in hers
    assert 'class="basket-count" data-basket-count>10<' in hers

    guest = Client()
    add_to_basket(guest, eggs, 20)
    guest.get(reverse("catalogue:index"))  # reads his own "added" message elsewhere
    his = text(guest.get(path))
    assert "登录" in tools(his) and "工作台" not in his and "我的</a>" not in tools(his)
    assert "已加入购物车" not in messages(his)
    assert "zhang.li" not in his
    assert 'class="basket-count" data-basket-count>20<' in his
    assert 'data-basket-count class="tabbar__count">20<' in his
    assert "¥30.00" in his and "¥15.00" not in his  # his 20 eggs, not her 10

    again = text(member.get(path))
    assert "工作台" in tools(again) and "登录" not in tools(again)
    assert "¥15.00" in again


@pytest.mark.django_db
@pytest.mark.parametrize("path", [BASKET, CONFIRM])
def test_each_answer_carries_its_own_nonce_and_its_own_csrf_token(eggs, run, path):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = []
    for client in (first, second):
        client.get(reverse("catalogue:index"))  # the CSRF cookie, as a buyer's first page
        token = client.cookies["csrftoken"].value
        add_to_basket_with_token(client, eggs, token)
        pages.append(client.get(path))
    for page in pages:
        assert_every_inline_script_may_run(page)
    assert nonce_of(pages[0]) != nonce_of(pages[1])
    tokens = [TOKEN.findall(text(page)) for page in pages]
    assert tokens[0] and tokens[1] and not set(tokens[0]) & set(tokens[1])


def add_to_basket_with_token(client, product, token):
    response = client.post(
        reverse("basket:add", kwargs={"pk": product.pk}),
        {"quantity": 10, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_second_guest_places_his_order_with_the_token_on_his_framed_page(eggs, run):
    """The frame is kept; the form inside it is his, and it goes through the CSRF check."""
    for name in ("林小满", "王大山"):
        guest = Client(enforce_csrf_checks=True)
        guest.get(reverse("catalogue:index"))
        add_to_basket_with_token(guest, eggs, guest.cookies["csrftoken"].value)
        page = text(guest.get(CONFIRM))
        [token] = set(TOKEN.findall(page))
        placed = guest.post(
            CONFIRM,
            {
                "csrfmiddlewaretoken": token,
                "first_name": name,
                "phone_number": "13812345678",
                "guest_email": "lin@example.cn",
                "line1": "",
                "line4": "",
                "notes": "",
                "method_code": pickup_code(run),
                "method": "pay-on-pickup",
            },
        )
        assert placed.status_code == 302, placed.content.decode()[:300]
        assert placed["Location"].endswith(reverse("checkout:thank-you"))
    names = sorted(order.shipping_address.first_name for order in Order.objects.all())
    assert names == ["林小满", "王大山"]


@pytest.mark.django_db
def test_the_english_pages_get_their_own_frame(eggs, run):
    guest = Client()
    add_to_basket(guest, eggs, 10)
    chinese = text(guest.get(BASKET))
    english = text(guest.get("/en" + BASKET))
    assert '<html lang="zh-hans">' in chinese and '<html lang="en">' in english
    assert ">EN<" in tools(chinese) and ">中文<" in tools(english)
    assert 'href="/en/shop/catalogue/"' in english and "全部产品" not in english
    assert "全部产品" in text(guest.get(BASKET))  # and back


@pytest.mark.django_db
def test_a_renamed_category_shows_at_once_in_the_frame_and_on_every_page(client, eggs, run):
    """Renaming starts a new page cache generation; the frames and the header's category
    list are kept for one generation, so the next page shows the new name."""
    category = Category.add_root(name="土鸡蛋", slug="eggs")
    add_to_basket(client, eggs, 10)
    for path in (BASKET, CONFIRM, reverse("customer:login")):
        assert ">土鸡蛋</a>" in text(client.get(path)).split("site-nav")[1]
    category.name = "柴鸡蛋"
    category.save()
    for path in (BASKET, CONFIRM, reverse("customer:login")):
        nav = text(client.get(path)).split("site-nav")[1]
        assert ">柴鸡蛋</a>" in nav and ">土鸡蛋</a>" not in nav, path


@pytest.mark.django_db
def test_a_refused_order_shows_the_page_again_with_its_reasons_in_the_frame(eggs, run):
    guest = Client()
    add_to_basket(guest, eggs, 10)
    text(guest.get(CONFIRM))  # the frame is drawn
    refused = guest.post(CONFIRM, {"first_name": "", "phone_number": "12", "method": "x"})
    page = text(refused)
    assert "请按下面的提示改一下，再提交订单。" in page
    assert page.count("<html") == 1 and page.count('id="messages"') == 1
    assert "登录" in tools(page) and not Order.objects.exists()
    signed_in = Client()
    signed_in.force_login(UserFactory(username="mei", email="mei@example.cn"))
    add_to_basket(signed_in, eggs, 10)
    assert "我的" in tools(text(signed_in.get(CONFIRM)))
