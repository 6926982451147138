"""Weighing a yard chicken on the driver page with no signal (390 px, Chromium offline):
the weight waits on the phone like any tap, is recorded once when the signal returns, and
the card then shows the weight and the re-priced cash (issue 21)."""

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from fulfilment.models import DriverTap, LineWeight
from shop.order import money
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_driver_offline import open_online, wait_queued
from tests.browser.test_team_places_phone import fits_the_screen, sign_in
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock
from tests.partner.factories import team_member


@pytest.fixture
def chicken_run(run, team, pickup_point):
    """A closed run: 吴奶奶家 supplies a 散养土鸡 (约 3 斤 at ¥40/斤, ¥120) that 张三 ordered,
    to pay on pickup."""
    from fulfilment import runs, supply
    from fulfilment.models import DeliveryRun
    from tests.order.factories import make_order

    pickup_point.latitude, pickup_point.longitude = D("34.752"), D("113.625")
    pickup_point.save()
    household = HouseholdFactory(
        team=team,
        village=VillageFactory(slug="xiangyang", name="向阳村"),
        public_name="吴奶奶家",
        latitude=D("34.81"),
        longitude=D("113.52"),
    )
    chicken = product_in_stock(
        team=team,
        price=D("120.00"),
        stock=5,
        title="散养土鸡",
        unit="zhi",
        price_per_jin=D("40.00"),
        estimated_jin=D("3.0"),
    )
    supply.set_commitment(run, household, chicken, 2)
    make_order(run, [(chicken, 1)], email="a@example.cn", name="张三")
    runs.change_status(run, DeliveryRun.Status.CLOSED)
    return run


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_weight_typed_offline_waits_and_re_prices_the_card_once_online(
    live_server, phone_page, chicken_run, team
):
    page = phone_page
    sign_in(page, live_server, team_member(team))
    open_online(page, live_server, chicken_run)
    link = chicken_run.order_links.get()
    line = link.order.lines.get()
    card = page.locator(f"[data-order='{link.order.number}']")
    expect(card).to_contain_text("收现金 ¥120.00")

    page.context.set_offline(True)
    form = card.locator(f"[data-testid='weigh-p{link.pickup_id}-{line.pk}']")
    form.locator("input[name=weight]").fill("3.4")
    form.locator("button").click()
    wait_queued(page, 1)
    page.reload()  # the service worker's copy; the weight still waits
    wait_queued(page, 1)
    assert DriverTap.objects.count() == 0 and not LineWeight.objects.exists()

    page.context.set_offline(False)
    wait_queued(page, 0, timeout=45000)
    # The page reloads itself: the card shows the weight and the re-priced cash.
    expect(card.locator(".driver-weighed")).to_contain_text("3.4 斤", timeout=30000)
    expect(card).to_contain_text("收现金 ¥136.00")
    page.screenshot(path=str(ARTIFACTS / "driver-weighed-390.png"), full_page=True)
    assert fits_the_screen(page)
    assert list(DriverTap.objects.values_list("action", flat=True)) == ["weighed"]
    assert LineWeight.objects.get().weight_jin == D("3.4")
    order = link.order
    money.forget(order)
    assert money.of(order).due == D("136.00")
