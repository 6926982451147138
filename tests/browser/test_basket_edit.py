"""A buyer changes a quantity and removes a line on the basket page of a 390 px phone; the
cart badges in the header and the tab bar follow each change without a reload."""

import pytest
from oscar.core.loading import get_model

from tests.browser.conftest import ARTIFACTS
from tests.catalogue.factories import product_in_stock

expect = pytest.importorskip("playwright.sync_api").expect

Basket = get_model("basket", "Basket")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_buyer_updates_a_quantity_and_removes_a_line(live_server, phone_page, team, eggs):
    chickens = product_in_stock(team=team, title="农家小笨鸡", price=128, stock=9)
    page = phone_page
    for product in (eggs, chickens):
        page.goto(live_server.url + product.get_absolute_url())
        page.locator("form[action*='/basket/add/'] button[type=submit]").first.click()
        page.wait_for_load_state()

    page.goto(live_server.url + "/shop/basket/")
    header_badge, tabbar_badge = page.locator(".basket-count"), page.locator(".tabbar__count")
    expect(header_badge).to_have_text("2")
    eggs_line = page.locator(".basket-line", has_text="散养土鸡蛋")
    eggs_line.locator("input[name$='-quantity']").fill("20")
    eggs_line.get_by_role("button", name="更新").click()  # Oscar's script posts and redraws
    expect(page.locator(".basket-line", has_text="散养土鸡蛋")).to_contain_text("¥30.00")
    expect(header_badge).to_have_text("21")
    expect(tabbar_badge).to_have_text("21")

    page.locator(".basket-line", has_text="农家小笨鸡").get_by_text("删除").click()
    expect(page.locator(".basket-line")).to_have_count(1)
    expect(header_badge).to_have_text("20")
    expect(tabbar_badge).to_have_text("20")
    page.screenshot(path=str(ARTIFACTS / "basket_badge.png"))
    page.goto(live_server.url + "/shop/basket/")
    expect(page.locator(".basket-line")).to_have_count(1)
    assert "¥30.00" in page.locator(".basket-totals").inner_text()
    basket = Basket.objects.get()
    assert [(line.product_id, line.quantity) for line in basket.all_lines()] == [(eggs.pk, 20)]
