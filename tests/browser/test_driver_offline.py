"""The driver's phone loses signal on a village road (390 px, Chromium offline): taps are
kept on the phone, the page comes back from the service worker, and when the signal returns
each tap is recorded exactly once."""

import pytest

from fulfilment.models import DeliveryRun, DriverTap
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_team_places_phone import fits_the_screen, sign_in
from tests.partner.factories import team_member


def tap_button(page, action, nth=0):
    form = page.locator(f"form.driver-tap:has(input[name=action][value={action}])").nth(nth)
    form.locator("button").click()


def queued(page):
    return page.locator("[data-driver]").get_attribute("data-queued")


def wait_queued(page, count, timeout=20000):
    page.wait_for_selector(
        f"[data-driver][data-queued='{count}']", state="attached", timeout=timeout
    )


def open_online(page, live_server, run):
    url = f"{live_server.url}/shop/team/runs/{run.pk}/driver/"
    page.goto(url)
    page.wait_for_selector("html[data-offline-ready='1']", state="attached", timeout=30000)
    assert fits_the_screen(page)
    return url


def three_taps_offline(page):
    page.context.set_offline(True)
    tap_button(page, "collected")
    wait_queued(page, 1)
    tap_button(page, "handed_over", 0)
    wait_queued(page, 2)
    tap_button(page, "handed_over", 1)
    wait_queued(page, 3)
    assert "3 个操作待发送" in page.locator("[data-queue]").inner_text()
    assert page.locator("form.driver-tap button:disabled").count() == 3
    assert DriverTap.objects.count() == 0


def back_online_sends_each_once(page, run):
    page.context.set_offline(False)
    wait_queued(page, 0, timeout=45000)
    assert page.locator("[data-queue]").is_hidden()
    assert DriverTap.objects.count() == 3
    assert sorted(DriverTap.objects.values_list("action", flat=True)) == [
        "collected",
        "handed_over",
        "handed_over",
    ]
    run.refresh_from_db()
    assert run.status == DeliveryRun.Status.DONE
    assert fits_the_screen(page)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_three_taps_offline_a_reload_then_the_signal_returns(
    live_server, phone_page, road_run, team
):
    page = phone_page
    sign_in(page, live_server, team_member(team))
    open_online(page, live_server, road_run)
    three_taps_offline(page)

    page.reload()  # no signal: the service worker's copy, and the queue is still there
    wait_queued(page, 3)
    assert "3 个操作待发送" in page.locator("[data-queue]").inner_text()
    assert page.locator("form.driver-tap button:disabled").count() == 3
    page.screenshot(path=str(ARTIFACTS / "driver-offline-390.png"), full_page=True)
    assert fits_the_screen(page)

    back_online_sends_each_once(page, road_run)
    page.reload()  # online again: nothing is sent twice
    wait_queued(page, 0)
    assert DriverTap.objects.count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_taps_survive_closing_the_page_while_offline(live_server, phone_page, road_run, team):
    page = phone_page
    sign_in(page, live_server, team_member(team))
    url = open_online(page, live_server, road_run)
    three_taps_offline(page)
    context = page.context
    page.close()

    page = context.new_page()  # still no signal
    page.goto(url)
    wait_queued(page, 3)
    assert DriverTap.objects.count() == 0
    back_online_sends_each_once(page, road_run)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cash_taken_offline_waits_on_the_phone_and_counts_once(
    live_server, phone_page, road_run, team
):
    from shop.order import money

    page = phone_page
    sign_in(page, live_server, team_member(team))
    open_online(page, live_server, road_run)
    number = page.locator("[data-order]").first.get_attribute("data-order")
    order = road_run.order_links.get(order__number=number).order
    due = money.of(order).cash_to_collect
    assert due > 0
    page.context.set_offline(True)
    page.locator(f"[data-order='{number}'] form.driver-tap:has(input[value=paid]) button").click()
    wait_queued(page, 1)
    page.reload()  # the service worker's copy; the tap still waits
    wait_queued(page, 1)
    assert DriverTap.objects.count() == 0
    page.context.set_offline(False)
    wait_queued(page, 0, timeout=45000)
    page.reload()
    wait_queued(page, 0)
    assert list(DriverTap.objects.values_list("action", flat=True)) == ["paid"]
    money.forget(order)
    assert money.of(order).paid_cash == due and money.of(order).cash_to_collect == 0
    assert page.locator(f"[data-order='{number}'] [data-testid=mark-paid]").count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signing_out_clears_what_the_phone_kept(live_server, phone_page, road_run, team):
    page = phone_page
    sign_in(page, live_server, team_member(team))
    open_online(page, live_server, road_run)
    assert page.evaluate("caches.keys()")
    page.get_by_test_id("sign-out").click()
    page.wait_for_url(lambda url: "/driver/" not in url)
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("indexedDB.databases().then(d => d.map(x => x.name))") == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
