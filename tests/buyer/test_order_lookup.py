"""A guest finds an order again with its number and the mobile given at checkout, or with
the signed link every message carries; the page it opens is the shop's, made for a phone."""

import pytest
from django.urls import reverse
from django.utils import translation

from shop.buyer import links
from shop.buyer.codes import pickup_code
from tests.buyer.conftest import PHONE

FIND = "/shop/orders/find/"
NOT_FOUND = "订单号或手机号不对，请核对后再试。"


def find(client, number, phone, path=FIND, **extra):
    return client.post(path, {"number": number, "phone": phone}, **extra)


@pytest.mark.django_db
def test_guest_finds_the_order_with_number_and_phone(client, guest_order):
    response = find(client, guest_order.number, "138 1234 5678")

    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert guest_order.number in html
    assert "县人民医院门诊大厅" in html  # where to collect it
    assert pickup_code(guest_order) in html
    assert "散养土鸡蛋" in html and "¥15.00" in html
    assert "中国" not in html and "税" not in html  # not Oscar's stock address and tax columns


@pytest.mark.django_db
def test_wrong_number_and_wrong_phone_get_the_same_answer(client, guest_order):
    wrong_number = find(client, "99999999", PHONE)
    wrong_phone = find(client, guest_order.number, "13900000000")

    for response in (wrong_number, wrong_phone):
        assert response.status_code == 200
        assert NOT_FOUND in response.content.decode()
    assert guest_order.number not in wrong_phone.content.decode().replace(
        f'value="{guest_order.number}"', ""
    )


@pytest.mark.django_db
def test_lookups_are_limited_per_client_and_per_order_number(client, guest_order, settings):
    settings.ORDER_LOOKUP_TRIES = 5
    for _ in range(5):
        assert find(client, guest_order.number, "13900000000").status_code == 200

    limited = find(client, guest_order.number, PHONE)  # even the right phone now waits

    assert limited.status_code == 429
    assert "查询次数太多，请 10 分钟后再试。" in limited.content.decode()
    # Another address trying the same order number waits too.
    other = find(client, guest_order.number, PHONE, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 429


@pytest.mark.django_db
def test_signed_link_opens_the_order_and_a_tampered_one_is_refused(client, guest_order):
    url = links.order_url(guest_order)
    assert url.startswith("http://127.0.0.1:8000/shop/orders/o/")
    path = links.order_path(guest_order)

    assert client.get(path).status_code == 200
    token = path.rstrip("/").rsplit("/", 1)[1]
    number, signature = token.split(":")
    forged = reverse("buyer:order", kwargs={"token": f"{int(number) + 1}:{signature}"})
    assert client.get(forged).status_code == 404
    assert client.get(reverse("buyer:order", kwargs={"token": number})).status_code == 404


@pytest.mark.django_db
def test_english_lookup_and_order_page_stay_english(client, guest_order):
    page = client.get("/en" + FIND).content.decode()
    assert "Find your order" in page

    response = find(client, guest_order.number, PHONE, path="/en" + FIND)
    assert response["Location"].startswith("/en/shop/orders/o/")
    html = client.get(response["Location"]).content.decode()
    assert "Pickup code" in html and "取货码" not in html
    with translation.override("en"):
        assert links.order_path(guest_order).startswith("/en/")
