"""A team member keeps the team's products up on a 390 px phone: finds the eggs, changes
the price and stock, takes a photo, sees the change; the same pages in English; the
run's supply page edits a household's promise without sideways scroll."""

import io
from decimal import Decimal as D
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image
from playwright.sync_api import expect

from catalogue.models import Product
from fulfilment.models import SupplyCommitment
from shop.partner.models import StockRecord
from tests.browser.test_team_places_phone import fits_the_screen, sign_in
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock
from tests.partner.factories import team_member

SHOTS = Path("/tmp/h-stock")


def serve_media(page):
    """The live server does not serve uploads (DEBUG is off): hand them from the test
    storage, so the screenshots show the photos."""

    def answer(route):
        name = unquote(route.request.url.split(settings.MEDIA_URL, 1)[1].split("?")[0])
        if default_storage.exists(name):
            with default_storage.open(name) as upload:
                route.fulfill(body=upload.read(), content_type="image/webp")
        else:
            route.fulfill(status=404)

    page.route("**/media/**", answer)


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_member_edits_price_stock_and_photo_at_phone_width(live_server, phone_page, team, run):
    page = phone_page
    serve_media(page)
    village = VillageFactory(slug="xiangyang", name="向阳村")
    village.teams.add(team)
    grandma = HouseholdFactory(team=team, village=village, public_name="吴奶奶家")
    eggs = product_in_stock(
        team=team, title="散养土鸡蛋", price=D("1.50"), stock=100, origin_village=village
    )
    eggs.households.add(grandma)
    product_in_stock(
        team=team,
        title="小笨鸡（散养一年以上，约三斤重）",
        price=D("88.00"),
        stock=6,
        unit=Product.Unit.ZHI,
        origin_village=village,
    )
    sign_in(page, live_server, team_member(team))

    page.goto(live_server.url + "/shop/team/")
    page.get_by_test_id("desk-menu").locator("summary").click()  # the back-office menu
    page.get_by_role("link", name="产品和库存").first.click()
    page.wait_for_url("**/shop/team/products/")
    rows = page.get_by_test_id("product-row")
    assert rows.count() == 2 and fits_the_screen(page)
    page.fill(".product-search input[name=q]", "吴奶奶")
    with page.expect_navigation():
        page.locator(".product-search button").click()
    assert rows.count() == 1 and "库存 100 枚" in rows.first.inner_text()
    rows.first.locator("a").click()
    page.wait_for_url(f"**/shop/team/products/{eggs.pk}/")
    assert fits_the_screen(page)

    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), "#d9a441").save(buf, "JPEG")
    page.fill("#id_price", "一块八")  # a slip of the thumb: refused, nothing saved
    with page.expect_navigation():
        page.locator("form.team-form button[type=submit]").click()
    assert "单价要填数字" in page.content()
    shot(page, "product-edit-error-zh")
    assert StockRecord.objects.get(product=eggs).price == D("1.50")

    page.fill("#id_price", "1.80")
    page.select_option("#id_stock_mode", "add")
    page.fill("#id_stock_amount", "20")
    page.fill("#id_note", "今天新收 20 枚")
    page.set_input_files(
        "#id_photo",
        files=[{"name": "eggs.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}],
    )
    shot(page, "product-edit-zh")
    assert fits_the_screen(page)
    with page.expect_navigation(timeout=60000):  # the photo's sizes are made on the way
        page.locator("form.team-form button[type=submit]").click()
    shot(page, "product-list-zh")
    row = page.locator(f"#product-{eggs.pk}")
    assert "¥1.80 / 枚" in row.inner_text() and "库存 120 枚" in row.inner_text()
    thumbnail = row.locator("img.product-row__photo")
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_have_js_property("complete", True)  # no eval: the policy refuses it
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    shot(page, "product-list-zh")
    assert fits_the_screen(page)
    record = StockRecord.objects.get(product=eggs)
    assert (record.price, record.num_in_stock) == (D("1.80"), 120)

    page.goto(live_server.url + f"/en/shop/team/products/{eggs.pk}/")
    shot(page, "product-edit-en")
    assert "Take a photo" in page.content() and fits_the_screen(page)
    shot(page, "product-edit-en")
    page.goto(live_server.url + "/en/shop/team/products/")
    assert "Products and stock" in page.content() and fits_the_screen(page)
    shot(page, "product-list-en")

    page.goto(live_server.url + f"/shop/team/runs/{run.pk}/supply/")
    page.fill(f"#q-{grandma.pk}-{eggs.pk}", "36")
    with page.expect_navigation():
        page.locator(f"#q-{grandma.pk}-{eggs.pk}").locator("xpath=ancestor::form").locator(
            "button"
        ).click()
    assert "已记下：吴奶奶家 散养土鸡蛋 36 枚" in page.content() and fits_the_screen(page)
    shot(page, "run-supply-zh")
    assert SupplyCommitment.objects.get(run=run, household=grandma, product=eggs).quantity == 36
