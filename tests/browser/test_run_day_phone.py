"""The team's run day at 390 px (issue 19): the orders with their stop filter, the lists,
a shortfall, collections and hand-overs with an undo, a household paid, and another run
closed early and left without its household, each step confirmed first and no page
scrolling sideways. Screenshots go to artifacts/run-day-*.png."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fulfilment import supply
from fulfilment.models import DeliveryRun, Payout, Shortfall
from shop.order import status as order_status
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_team_places_phone import sign_in
from tests.catalogue.factories import HouseholdFactory
from tests.fulfilment.factories import DeliveryRunFactory
from tests.order.factories import make_order
from tests.partner.factories import team_member

S = DeliveryRun.Status


def no_sideways_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def shot(page, name):
    assert no_sideways_scroll(page), name
    page.screenshot(path=str(ARTIFACTS / f"run-day-{name}.png"), full_page=True)


def confirm(page):
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_run_day_on_a_phone(live_server, phone_page, road_run, team, eggs, pickup_point):
    page = phone_page
    member = team_member(team)
    sign_in(page, live_server, member)
    base = f"{live_server.url}/shop/team/runs/{road_run.pk}"

    # the orders, from the run page, filtered by stop
    page.goto(f"{base}/")
    page.get_by_test_id("run-orders-link").click()
    page.wait_for_selector("[data-testid=run-order]")
    assert page.get_by_test_id("run-order").count() == 2
    assert page.locator("a[href^='tel:+86']").count() == 2
    shot(page, "orders")
    page.get_by_test_id("order-filter").get_by_text(pickup_point.name).click()
    page.wait_for_selector(".order-filter__on")
    assert page.get_by_test_id("run-order").count() == 2
    shot(page, "orders-filtered")

    # the lists
    for kind in ("collection", "packing", "sheet"):
        page.goto(f"{base}/lists/{kind}/")
        shot(page, f"list-{kind}")

    # a shortfall: 吴奶奶家 brings 2 eggs fewer; the page says what that does first
    page.goto(f"{base}/shortfalls/")
    page.select_option("#id_household", label="吴奶奶家（向阳村）")
    page.select_option("#id_product", value=str(eggs.pk))
    page.fill("#id_quantity", "2")
    page.get_by_role("button", name="下一步：看看会影响哪些订单").click()
    box = page.get_by_test_id("confirm-box")
    assert "1 个订单会减少，共 ¥3.00" in box.inner_text()
    assert not Shortfall.objects.exists()
    shot(page, "shortfall-confirm")
    confirm(page)
    assert "已登记缺货" in page.content()
    assert Shortfall.objects.get().quantity == 2

    # the driver: collect, hand over, undo the hand-over, hand over again
    page.goto(f"{base}/driver/")
    page.locator("form.driver-tap:has(input[value=collected]) button").click()
    page.wait_for_selector(".driver-done")
    road_run.refresh_from_db()
    assert road_run.status == S.DELIVERING  # its one household collected: on its way
    page.reload()
    assert page.get_by_test_id("undo-collected").is_visible()
    shot(page, "driver-collected")
    handed = page.locator("form.driver-tap:has(input[value=handed_over])").first
    number = handed.locator("xpath=ancestor::div[@data-order]").get_attribute("data-order")
    handed.locator("button").click()
    undo = page.locator(f"[data-order='{number}'] form.driver-undo button")
    undo.wait_for()
    shot(page, "driver-handed-over")
    order = road_run.order_links.get(order__number=number).order
    assert order.status == order_status.HANDED_OVER
    with page.expect_navigation():
        undo.click()
    assert "已撤销" in page.content()
    order.refresh_from_db()
    assert order.status == order_status.ON_ITS_WAY
    shot(page, "driver-undone")
    for _ in range(2):
        page.locator("form.driver-tap:has(input[value=handed_over]) button").first.click()
        page.wait_for_timeout(300)
    # A locator waits in Playwright's own world (a string function would need eval, which
    # the page's policy refuses).
    expect(page.locator("form.driver-tap input[value=handed_over]")).to_have_count(0)
    page.wait_for_selector("[data-driver][data-queued='0']", state="attached")
    road_run.refresh_from_db()
    assert road_run.status == S.DONE

    # the household is paid after a confirmation
    page.goto(f"{live_server.url}/shop/team/payouts/?run={road_run.pk}")
    shot(page, "payouts")
    page.get_by_role("button", name="标记已付").click()
    page.wait_for_selector("[data-testid=confirm-box]")
    assert "¥42.00" in page.get_by_test_id("confirm-box").inner_text()  # 28 eggs × ¥1.50
    assert not Payout.objects.exists()
    shot(page, "payout-confirm")
    confirm(page)
    assert page.get_by_test_id("paid").count() == 1
    assert Payout.objects.get().net == D("42.00")

    # another run: closed early after a confirmation, then left without its household
    other = DeliveryRunFactory(
        team=team,
        stops=[pickup_point],
        cutoff=timezone.now() + datetime.timedelta(days=1),
    )
    household = HouseholdFactory(team=team, public_name="李大叔家")
    supply.set_commitment(other, household, eggs, 30)
    make_order(other, [(eggs, 6)], name="王五")
    page.goto(f"{live_server.url}/shop/team/runs/{other.pk}/")
    page.get_by_role("button", name="改为“已截单”").click()
    page.wait_for_selector("[data-testid=confirm-box]")
    assert "1 个订单会被确认" in page.get_by_test_id("confirm-box").inner_text()
    other.refresh_from_db()
    assert other.status == S.OPEN
    shot(page, "close-confirm")
    confirm(page)
    other.refresh_from_db()
    assert other.status == S.CLOSED

    page.goto(f"{live_server.url}/shop/team/runs/{other.pk}/driver/")
    page.get_by_test_id("set-off").click()
    page.wait_for_selector("[data-testid=confirm-box]")
    assert "李大叔家" in page.get_by_test_id("confirm-box").inner_text()
    shot(page, "set-off-confirm")
    confirm(page)
    other.refresh_from_db()
    assert other.status == S.DELIVERING
    assert Shortfall.objects.filter(run=other, quantity=6).exists()
    shot(page, "driver-after-set-off")
