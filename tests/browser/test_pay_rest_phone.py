"""补款 on a 390 px phone, in Chinese and in English: a guest makes an order paid online
bigger, is sent towards Stripe for the difference, and the order page offers "去付款" until
the webhook says it is paid."""

import pytest
from oscar.core.loading import get_model

from shop.buyer import links
from shop.payment.methods import STRIPE
from tests.browser.conftest import ARTIFACTS
from tests.order.factories import make_order
from tests.payment.conftest import send_webhook, stripe_fake  # noqa: F401  Stripe on, faked

SourceType = get_model("payment", "SourceType")
StripeCheckout = get_model("payment", "StripeCheckout")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "prefix, change_button, pay_button, still",
    [("", "保存修改", "去付款", "还需补款"), ("/en", "Save changes", "Pay now", "Still to pay")],
)
def test_a_guest_grows_an_online_order_and_pays_the_rest(
    live_server,
    phone_page,
    client,
    run,
    eggs,
    stripe_fake,  # noqa: F811
    prefix,
    change_button,
    pay_button,
    still,
):
    order = make_order(run, [(eggs, 10)], paid_online=True)
    order.sources.update(
        source_type=SourceType.objects.get_or_create(code=STRIPE, defaults={"name": "Stripe"})[0]
    )
    token = links.order_token(order)
    page = phone_page
    stripe_pages = []
    page.on("request", lambda r: stripe_pages.append(r.url) if "stripe.com" in r.url else None)

    page.goto(f"{live_server.url}{prefix}/shop/orders/o/{token}/change/")
    page.locator(f"[name=qty-{order.lines.get().pk}]").fill("14")
    page.get_by_role("button", name=change_button).click()
    # The browser leaves for Stripe (unreachable here: an error page); wait until it has
    # left, or the next goto is cut short by that navigation.
    page.wait_for_url(lambda url: not url.startswith(live_server.url), wait_until="commit")
    checkout = StripeCheckout.objects.get(order=order, purpose=StripeCheckout.Purpose.REST)
    assert checkout.url.split("#")[0] in stripe_pages  # sent to Stripe right away, for ¥6.00

    page.goto(f"{live_server.url}{prefix}/shop/orders/o/{token}/")
    box = page.locator("[data-testid=pay-rest]")
    assert still in box.inner_text() and "6.00" in box.inner_text()
    assert box.get_by_role("button", name=pay_button).is_visible()
    page.screenshot(
        path=str(ARTIFACTS / f"pay-rest{prefix.replace('/', '-')}-390.png"), full_page=True
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

    send_webhook(client, "checkout.session.completed", stripe_fake.pay(checkout.session_id))
    page.goto(f"{live_server.url}{prefix}/shop/orders/o/{token}/")
    assert page.locator("[data-testid=pay-rest]").count() == 0
    page.screenshot(
        path=str(ARTIFACTS / f"pay-rest-paid{prefix.replace('/', '-')}-390.png"), full_page=True
    )
