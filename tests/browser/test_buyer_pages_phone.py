"""The buyer's pages on a 390 px phone, in Chinese and under /en/: home (本周新鲜 with eggs
first, the hero's figures), catalogue, a product sold by the box, the basket. Nothing
scrolls sideways; the cart badge follows an add from a product card."""

import pytest
from django.utils import translation

from catalogue.models import Category
from tests.browser.conftest import ARTIFACTS
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock

expect = pytest.importorskip("playwright.sync_api").expect


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_buyer_pages_fit_a_phone_in_both_languages(
    live_server, phone_page, home_page, team, pickup_point
):
    from fulfilment import supply
    from fulfilment.models import DeliveryRun

    home_page.hero_title_en = "Food you can trust"
    home_page.save_revision().publish()
    eggs_category = Category.add_root(name="鸡蛋", slug="eggs", name_en="Eggs", is_public=True)
    village = VillageFactory(slug="xiangyang", name="向阳村")
    household = HouseholdFactory(team=team, village=village, public_name="王大姐家")
    box = product_in_stock(team=team, title="笨鸡蛋 30 枚礼盒", price=48, stock=20, unit="xiang")
    box.categories.add(eggs_category)
    peanuts = product_in_stock(team=team, title="生花生", price=8, stock=50)
    run = DeliveryRun.objects.get(team=team)  # the pickup point's next run
    supply.set_commitment(run, household, box, 20)
    supply.set_commitment(run, household, peanuts, 50)

    with translation.override("zh-hans"):
        box_url = box.get_absolute_url()
    page = phone_page
    for language, prefix in (("zh", ""), ("en", "/en")):
        page.goto(live_server.url + prefix + "/")
        page.screenshot(path=str(ARTIFACTS / f"buyer_home_{language}.png"), full_page=True)
        fresh = page.locator(".product-grid .product-card__title")
        assert fresh.all_inner_texts() == ["笨鸡蛋 30 枚礼盒", "生花生"]  # eggs first
        expect(page.get_by_test_id("hero-figures")).to_contain_text(
            "1 支工作队" if language == "zh" else "1 work team"
        )
        no_sideways_scroll(page)

        page.goto(live_server.url + prefix + "/shop/catalogue/")
        no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"buyer_catalogue_{language}.png"), full_page=True)
        badge = page.locator(".basket-count")
        before = int(badge.inner_text())
        page.locator(".product-card", has_text="生花生").get_by_role("button").click()
        expect(badge).to_have_text(str(before + 1))

        page.goto(live_server.url + prefix + box_url)
        expect(page.locator(".product-page__price")).to_have_text(
            "¥48.00 / 箱" if language == "zh" else "¥48.00 / box"
        )
        no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"buyer_product_{language}.png"), full_page=True)

        page.goto(live_server.url + prefix + "/shop/basket/")
        expect(page.locator(".basket-line")).to_have_count(1)
        expect(page.locator(".basket-line__meta")).to_contain_text(
            "库存" if language == "zh" else "in stock"
        )
        no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"buyer_basket_{language}.png"), full_page=True)
