"""A guest buys eggs on a 390 px phone screen, from the product page to the order number."""

import datetime

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from tests.browser.conftest import ARTIFACTS
from tests.fulfilment.factories import DeliveryRunFactory

Order = get_model("order", "Order")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_guest_buys_eggs_at_phone_width(live_server, phone_page, eggs, pickup_point, team):
    later = DeliveryRunFactory(  # two runs: the buyer chooses one on the confirmation page
        team=team,
        stops=[pickup_point],
        date=timezone.localdate() + datetime.timedelta(days=5),
        cutoff=timezone.now() + datetime.timedelta(days=4),
    )
    page = phone_page
    external = []
    page.on("requestfailed", lambda request: external.append(request.url))

    page.goto(live_server.url + eggs.get_absolute_url())
    page.locator("form[action*='/basket/add/'] button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/shop/basket/")
    page.screenshot(path=str(ARTIFACTS / "basket-390.png"), full_page=True)
    page.get_by_role("link", name="去结算").click()

    # One page: who collects, the run, how to pay, the order; then one tap.
    page.wait_for_url("**/checkout/confirm/**")
    page.click("[data-testid=place-order]")  # nothing filled in: told what is missing
    page.wait_for_url("**/checkout/confirm/**")
    assert "请填写收货人姓名。" in page.content()
    assert not Order.objects.exists()
    page.fill("#id_first_name", "林小满")
    page.fill("#id_phone_number", "13812345678")
    page.fill("#id_guest_email", "guest@example.cn")
    page.locator(f"input[name=method_code][value^='run-{later.pk}-']").check()
    page.check("input[name=method][value=pay-on-pickup]")
    page.screenshot(path=str(ARTIFACTS / "confirm-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the order confirmation scrolls sideways on a phone ({width}px)"
    page.click("[data-testid=place-order]")
    page.wait_for_url("**/thank-you/**")

    order = Order.objects.get()
    assert order.number in page.content()
    assert order.run_link.run == later
    assert order.guest_email == "guest@example.cn"
    page.screenshot(path=str(ARTIFACTS / "thank-you-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    assert not [url for url in external if not url.startswith(live_server.url)]
