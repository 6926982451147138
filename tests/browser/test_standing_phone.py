"""Standing orders on a 390 px phone: from the product page's "每周一次" to the standing
order's page, a mistake shown first, then a skip; the same pages under /en/. None scrolls
sideways."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from shop.standing.models import StandingOrder, StandingRun
from tests.browser.test_account_phone import fits_the_phone, links_stay_english
from tests.partner.factories import UserFactory

SHOTS = Path("/tmp/standing-phone")
PASSWORD = "yard-eggs-2026"


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
        ("", {"weekly": "每周一次", "start": "设好定期订单", "skip": "这次跳过"}),
        (
            "/en",
            {"weekly": "Every week", "start": "Set up the standing order", "skip": "Skip this one"},
        ),
    ],
)
def test_a_buyer_sets_up_a_weekly_order_from_the_product_page_and_skips_a_run(
    live_server, phone_page, run, later_run, eggs, prefix, words
):
    UserFactory(username="lin", email="lin@example.cn", password=PASSWORD)
    page = phone_page
    site = live_server.url + prefix
    page.goto(f"{site}/shop/accounts/login/")
    page.locator("input[name=login-username]").fill("lin@example.cn")
    page.locator("input[name=login-password]").fill(PASSWORD)
    page.locator("form:has(input[name=login-username]) button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(site + eggs.get_absolute_url())
    page.get_by_role("button", name=words["weekly"], exact=True).click()
    page.wait_for_url("**/shop/accounts/standing/new/**")
    look(page, prefix, "start", "the standing-order form")
    page.locator("input[name=phone]").fill("12345")
    page.get_by_role("button", name=words["start"]).click()
    look(page, prefix, "start-error", "the form's mistake")
    expect(page.locator("[data-testid=field-error]")).to_have_count(2)  # no name, bad phone
    assert not StandingOrder.objects.exists()
    page.locator("input[name=name]").fill("林小满")
    page.locator("input[name=phone]").fill("13812345678")
    page.get_by_role("button", name=words["start"]).click()
    page.wait_for_url("**/shop/accounts/standing/*/")
    look(page, prefix, "detail", "the standing order's page")
    runs = page.locator("[data-testid=standing-run]")
    assert runs.count() >= 1

    runs.first.get_by_role("button", name=words["skip"]).click()
    page.wait_for_load_state()
    expect(page.locator("[data-testid=standing-run]").first).to_have_attribute(
        "data-state", "skipped"
    )
    look(page, prefix, "skipped", "the page after a skip")
    assert StandingRun.objects.get().state == "skipped"
