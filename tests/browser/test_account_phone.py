"""The buyer's own pages on a 390 px phone, in Chinese and under /en/: sign up, sign in,
password reset, my orders, an order, profile, password and addresses. None scrolls
sideways, product names keep their width, and every link on an English page stays English."""

from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from oscar.core.loading import get_model

from shop.order import status as S
from tests.order.factories import make_order
from tests.partner.factories import UserFactory

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")
Country = get_model("address", "Country")

SHOTS = Path("/tmp/h-account")
PASSWORD = "yard-eggs-2026"
LONG_TITLE = "散养土鸡蛋（山坡上吃虫子和玉米长大的土鸡下的蛋）"


def fits_the_phone(page, what):
    width, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= client, f"{what} scrolls sideways on a phone ({width}px > {client}px)"


def links_stay_english(page, what):
    """Every link to a page of this site on an /en/ page leads to an /en/ page (the language
    switch, which says it leads to Chinese, excepted)."""
    here = urlparse(page.url).netloc
    hrefs = page.eval_on_selector_all(
        "a[href]:not([hreflang])", "links => links.map(link => link.href)"
    )
    chinese = [
        href
        for href in hrefs
        if urlparse(href).netloc == here
        and urlparse(href).path.startswith("/")
        and not urlparse(href).path.startswith(("/en/", "/static/", "/media/"))
    ]
    assert not chinese, f"{what} links to Chinese pages: {chinese}"


def look(page, prefix, name, what):
    page.wait_for_load_state()
    fits_the_phone(page, what)
    if prefix:
        links_stay_english(page, what)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}{prefix.replace('/', '-')}-390.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "prefix, words",
    [
        ("", {"sign_in": "登录", "sign_up": "注册", "orders": "我的订单", "save": "保存地址"}),
        (
            "/en",
            {
                "sign_in": "Sign in",
                "sign_up": "Sign up",
                "orders": "My orders",
                "save": "Save address",
            },
        ),
    ],
)
def test_buyer_pages_fit_a_phone_in_both_languages(
    live_server, phone_page, run, later_run, eggs, pickup_point, prefix, words
):
    eggs.title = LONG_TITLE
    eggs.save()
    page = phone_page
    site = live_server.url + prefix

    # Signing up, with a mistake first.
    page.goto(f"{site}/shop/accounts/login/")
    look(page, prefix, "login", "the sign-in page")
    register = page.locator("[data-testid=register-form]")
    register.locator("input[name=registration-email]").fill("lin@example.cn")
    register.locator("input[name=registration-password1]").fill(PASSWORD)
    register.locator("input[name=registration-password2]").fill(PASSWORD + "x")
    register.get_by_role("button", name=words["sign_up"]).click()
    look(page, prefix, "signup-error", "the sign-up mistake")
    assert page.locator("[data-testid=field-error]").count() == 1
    register = page.locator("[data-testid=register-form]")
    register.locator("input[name=registration-password1]").fill(PASSWORD)
    register.locator("input[name=registration-password2]").fill(PASSWORD)
    register.get_by_role("button", name=words["sign_up"]).click()
    page.wait_for_url(f"**{prefix}/shop/accounts/orders/")
    look(page, prefix, "orders-empty", "my orders, none yet")

    buyer = UserFactory._meta.model.objects.get(email="lin@example.cn")
    soon = make_order(run, [(eggs, 10)])
    later = make_order(later_run, [(eggs, 4)])
    past = make_order(run, [(eggs, 2)])
    Order.objects.filter(pk__in=[soon.pk, later.pk, past.pk]).update(user=buyer)
    Order.objects.filter(pk=past.pk).update(status=S.COMPLETED)

    page.goto(f"{site}/shop/accounts/orders/")
    look(page, prefix, "orders", "my orders")
    cards = page.locator("[data-testid=order-card]")
    assert cards.count() == 3
    assert cards.first.get_attribute("data-number") == soon.number
    items = cards.first.locator("[data-testid=order-items]").bounding_box()
    assert items["width"] > 200, "the items wrap a character per line"

    cards.first.locator("a").click()
    page.wait_for_url(f"**{prefix}/shop/accounts/orders/{soon.number}/")
    look(page, prefix, "order", "an order")
    assert page.locator("[data-testid=handover-place]").inner_text() == pickup_point.name
    title = page.locator(".order-line__title").first.bounding_box()
    assert title["width"] > 120, "the product name wraps a character per line"
    page.locator("[data-testid=reorder]").click()
    page.wait_for_url(f"**{prefix}/shop/basket/")

    for path, name in [
        ("/shop/accounts/profile/", "profile"),
        ("/shop/accounts/profile/edit/", "profile-edit"),
        ("/shop/accounts/change-password/", "password"),
        ("/shop/accounts/addresses/", "addresses-empty"),
    ]:
        page.goto(site + path)
        look(page, prefix, name, path)
    assert page.locator("[data-testid=account-menu] a").count() == 6  # with 定期订单

    page.goto(f"{site}/shop/accounts/addresses/add/")
    page.get_by_role("button", name=words["save"]).click()
    look(page, prefix, "address-errors", "the address form with its messages")
    assert page.locator("[data-testid=field-error]").count() == 3
    page.fill("#id_first_name", "林小满")
    page.fill("#id_phone_number", "138 1234 5678")
    page.fill("#id_line1", "建设路幸福里小区 3 号楼 2 单元 502 室（进门右手边第二栋）")
    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url(f"**{prefix}/shop/accounts/addresses/")
    look(page, prefix, "addresses", "the address book")
    address = UserAddress.objects.get(user=buyer)
    page.goto(f"{site}/shop/accounts/addresses/{address.pk}/delete/")
    look(page, prefix, "address-delete", "deleting an address")

    # Signed out: forgetting the password and setting a new one.
    page.goto(f"{site}/shop/accounts/logout/")
    page.goto(f"{site}/shop/accounts/register/")
    look(page, prefix, "register", "the sign-up page")
    page.goto(f"{site}/shop/password-reset/")
    look(page, prefix, "reset", "the password reset form")
    page.fill("#id_email", buyer.email)
    page.locator("[data-testid=reset-form] button[type=submit]").click()
    page.wait_for_url(f"**{prefix}/shop/password-reset/done/")
    look(page, prefix, "reset-done", "the reset e-mail sent page")
    uid = urlsafe_base64_encode(force_bytes(buyer.pk))
    token = default_token_generator.make_token(buyer)
    page.goto(f"{site}/shop/password-reset/confirm/{uid}/{token}/")
    look(page, prefix, "reset-confirm", "setting a new password")
    page.fill("#id_new_password1", "new-" + PASSWORD)
    page.fill("#id_new_password2", "new-" + PASSWORD)
    page.locator("[data-testid=set-password-form] button[type=submit]").click()
    page.wait_for_url(f"**{prefix}/shop/password-reset/complete/")
    look(page, prefix, "reset-complete", "the password reset done page")

    page.goto(f"{site}/shop/accounts/login/")
    page.fill("#id_login-username", buyer.email)
    page.fill("#id_login-password", "new-" + PASSWORD)
    page.locator("[data-testid=login-form] button[type=submit]").click()
    page.wait_for_url(f"**{prefix}/shop/accounts/orders/")
    assert words["orders"] in page.locator("h1").inner_text()
