"""A guest finds an order on a 390 px phone, in Chinese and in English, and reads it
there without scrolling sideways."""

import pytest

from shop.buyer.codes import pickup_code
from tests.browser.conftest import ARTIFACTS
from tests.order.factories import make_order


def no_sideways_scroll(page, what):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{what} scrolls sideways on a phone ({width}px)"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "prefix, button, heading", [("", "查询", "取货码"), ("/en", "Find", "Pickup code")]
)
def test_guest_finds_and_reads_the_order_at_phone_width(
    live_server, phone_page, run, eggs, prefix, button, heading
):
    eggs.title = "散养土鸡蛋（山坡上吃虫子和玉米长大的土鸡下的蛋）"
    eggs.save()
    order = make_order(run, [(eggs, 30)], email="")
    page = phone_page

    page.goto(f"{live_server.url}{prefix}/shop/orders/find/")
    no_sideways_scroll(page, "the order lookup")
    page.fill("#id_number", order.number)
    page.fill("#id_phone", "13900000000")
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=lookup-error]").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"order-lookup{prefix.replace('/', '-')}-390.png"))
    no_sideways_scroll(page, "the order lookup with its message")

    page.fill("#id_phone", "138 1234 5678")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"**{prefix}/shop/orders/o/**")
    assert page.locator("[data-testid=pickup-code]").inner_text() == pickup_code(order)
    assert heading in page.content()
    assert "县人民医院门诊大厅" in page.locator("[data-testid=handover-place]").inner_text()
    page.screenshot(
        path=str(ARTIFACTS / f"guest-order{prefix.replace('/', '-')}-390.png"), full_page=True
    )
    no_sideways_scroll(page, "the guest order page")
    title = page.locator(".order-line__title").first.bounding_box()
    assert title["width"] > 120, "the product name wraps a character per line"
