"""补款 (issue 21): an order paid online that the buyer makes bigger before the cut-off owes
the difference; she is sent to Stripe Checkout for exactly that, the order page offers
"去付款" until it is paid, the webhook (or the return page) records it once through the
order-life module, and what is still unpaid at the cut-off the driver collects in cash."""

import io
import re
import uuid
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from oscar.core.loading import get_model

from fulfilment import runs
from fulfilment.models import DeliveryRun, OrderRun, RefundOwed
from shop.buyer import links
from shop.order import history, money
from shop.payment.methods import STRIPE
from tests.order.factories import make_order
from tests.partner.factories import UserFactory, team_member
from tests.payment.conftest import send_webhook, stripe_fake  # noqa: F401  Stripe on, faked

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_fake")]

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
SourceType = get_model("payment", "SourceType")
StripeCheckout = get_model("payment", "StripeCheckout")


@pytest.fixture
def order(run, eggs, customer, stripe_fake):  # noqa: F811
    """The signed-in buyer's 10 eggs (¥1.50 each, ¥15.00) paid through Stripe."""
    placed = make_order(run, [(eggs, 10)], email=customer.email, paid_online=True)
    intent = f"pi_test_{placed.number}"
    placed.sources.update(
        source_type=SourceType.objects.get_or_create(code=STRIPE, defaults={"name": "Stripe"})[0],
        reference=intent,
    )
    stripe_fake.charged[intent] = 1500
    Order.objects.filter(pk=placed.pk).update(user=customer)
    placed.refresh_from_db()
    return placed


@pytest.fixture
def member(team):
    return team_member(team)


@pytest.fixture
def buyer(client, customer):
    client.force_login(customer)
    return client


def grow(client, order, quantity):
    url = reverse("account-order-change", kwargs={"order_number": order.number})
    return client.post(url, {f"qty-{order.lines.get().pk}": str(quantity)})


def fresh(order):
    order.refresh_from_db()
    money.forget(order)
    return money.of(order)


def order_page(client, order):
    return client.get(reverse("customer:order", args=[order.number])).content.decode()


def sessions_asked(fake):
    return [r for r in fake.requests if r["path"] == "/v1/checkout/sessions"]


def paid_online_events(order):
    return PaymentEvent.objects.filter(
        order=order, event_type__name=history.EVENT_PAID_ONLINE
    ).count()


def driver_cash(client, run, order):
    html = client.get(reverse("fulfilment:driver", args=[run.pk])).content.decode()
    card = re.search(rf'data-order="{order.number}".*?(?=data-order=|</ol>)', html, re.S)
    shown = {D(a) for a in re.findall(r"收现金 ¥([0-9.]+)", card.group(0))}
    return shown.pop() if shown else D("0")


def sheet_cash(client, run, order):
    sheet = client.get(reverse("fulfilment:run-document", args=[run.pk, "sheet"]) + "?format=xlsx")
    rows = load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)
    values = [r[5] for r in rows if r and isinstance(r[4], str) and order.number in r[4]]
    assert values
    return D(str(values[0] or 0))


def close(run):
    runs.change_status(run, DeliveryRun.Status.CLOSED)
    run.refresh_from_db()


def test_a_bigger_online_order_is_sent_to_stripe_for_exactly_the_difference_and_paid_once(
    buyer,
    order,
    run,
    member,
    stripe_fake,  # noqa: F811
):
    response = grow(buyer, order, 14)  # 4 more eggs: ¥6.00 more

    checkout = StripeCheckout.objects.get(order=order, purpose=StripeCheckout.Purpose.REST)
    assert response.status_code == 302 and response.url == checkout.url
    assert checkout.amount == D("6.00") and checkout.status == StripeCheckout.Status.OPEN
    asked = sessions_asked(stripe_fake)[-1]["params"]
    assert asked["line_items"]["0"]["price_data"]["unit_amount"] == "600"
    assert asked["metadata"] == {"order_number": str(order.number), "purpose": "rest"}
    truth = fresh(order)
    assert truth.due == D("21.00") and truth.still_to_pay == D("6.00")
    page = order_page(buyer, order)
    assert 'data-testid="pay-rest"' in page and "还需补款 ¥6.00" in page
    assert 'data-testid="money-to-collect"' not in page  # one way to pay it, not two

    # "去付款" again before paying: the same session, not a second one
    again = buyer.post(reverse("account-order-pay-rest", args=[order.number]))
    assert again.url == checkout.url and len(sessions_asked(stripe_fake)) == 1

    session = stripe_fake.pay(checkout.session_id)
    assert send_webhook(buyer, "checkout.session.completed", session).json() == {
        "outcome": "paid-rest"
    }

    truth = fresh(order)
    assert truth.paid_online == D("21.00") and truth.settled and truth.cash_to_collect == 0
    assert paid_online_events(order) == 1
    assert order.status == "待确认"  # the order keeps its place in its life
    page = order_page(buyer, order)
    assert 'data-testid="pay-rest"' not in page and "补款已在线付清 ¥6.00" in page

    # Stripe sends the news again (another event for the same session): nothing moves
    repeat = send_webhook(buyer, "checkout.session.completed", session, event_id="evt_again")
    assert repeat.json() == {"outcome": "already-paid"}
    # and the same event twice is not even looked at
    assert send_webhook(buyer, "checkout.session.completed", session).json() == {
        "outcome": "duplicate"
    }
    # the buyer's browser comes back from Stripe after the webhook: nothing moves either
    done = reverse("account-order-pay-rest-done", args=[order.number])
    assert buyer.get(done + f"?session_id={checkout.session_id}").status_code == 302
    truth = fresh(order)
    assert truth.paid_online == D("21.00") and paid_online_events(order) == 1

    close(run)
    buyer.force_login(member)
    assert driver_cash(buyer, run, order) == 0
    assert sheet_cash(buyer, run, order) == 0


def test_the_return_page_settles_the_payment_when_it_comes_before_the_webhook(
    buyer,
    order,
    stripe_fake,  # noqa: F811
):
    grow(buyer, order, 12)
    checkout = StripeCheckout.objects.get(order=order, purpose=StripeCheckout.Purpose.REST)
    session = stripe_fake.pay(checkout.session_id)

    done = reverse("account-order-pay-rest-done", args=[order.number])
    response = buyer.get(done + f"?session_id={checkout.session_id}", follow=True)
    assert "补款已付清" in response.content.decode()
    assert fresh(order).settled and paid_online_events(order) == 1

    late = send_webhook(buyer, "checkout.session.completed", session)
    assert late.json() == {"outcome": "already-paid"}
    assert fresh(order).paid_online == D("18.00") and paid_online_events(order) == 1


def test_a_rest_unpaid_at_the_cutoff_is_collected_in_cash_at_hand_over(
    buyer,
    order,
    run,
    member,
    stripe_fake,  # noqa: F811
):
    grow(buyer, order, 12)  # ¥3.00 more, never paid online
    close(run)

    page = order_page(buyer, order)
    assert 'data-testid="pay-rest"' not in page  # after the cut-off: cash, not Stripe
    assert re.search(r'data-testid="money-to-collect"[^>]*>[^<]*3\.00', page)
    refused = buyer.post(reverse("account-order-pay-rest", args=[order.number]), follow=True)
    assert "取货时付给工作队" in refused.content.decode()
    assert len(sessions_asked(stripe_fake)) == 1  # only the one the change opened

    buyer.force_login(member)
    assert driver_cash(buyer, run, order) == D("3.00")
    assert sheet_cash(buyer, run, order) == D("3.00")
    stop = f"p{OrderRun.objects.get(order=order).pickup_id}"
    data = {"key": str(uuid.uuid4()), "action": "paid", "stop": stop, "order": order.pk}
    assert buyer.post(reverse("fulfilment:driver-tap", args=[run.pk]), data).status_code == 302

    truth = fresh(order)
    assert truth.paid_online == D("15.00") and truth.paid_cash == D("3.00") and truth.settled
    assert driver_cash(buyer, run, order) == 0

    # the session the change opened before the cut-off is paid after all, too late
    late = StripeCheckout.objects.get(order=order, purpose=StripeCheckout.Purpose.REST)
    send_webhook(buyer, "checkout.session.completed", stripe_fake.pay(late.session_id))
    assert RefundOwed.objects.get(order=order).amount == D("3.00")  # paid twice: once back
    assert fresh(order).refund_owed == D("3.00")


def test_changing_again_closes_the_old_session_and_a_smaller_order_owes_less_not_a_refund(
    buyer,
    order,
    stripe_fake,  # noqa: F811
):
    grow(buyer, order, 14)  # owes ¥6.00
    first = StripeCheckout.objects.get(order=order, purpose=StripeCheckout.Purpose.REST)

    response = grow(buyer, order, 12)  # now owes ¥3.00: nothing was paid back to anyone

    assert stripe_fake.sessions[first.session_id]["status"] == "expired"
    first.refresh_from_db()
    assert first.status == StripeCheckout.Status.EXPIRED
    second = StripeCheckout.objects.filter(order=order, status=StripeCheckout.Status.OPEN).get()
    assert second.amount == D("3.00") and response.url == second.url
    assert not RefundOwed.objects.filter(order=order).exists()
    truth = fresh(order)
    assert truth.still_to_pay == D("3.00") and truth.refund_owed == 0

    grow(buyer, order, 8)  # below what was paid: ¥3.00 back, the open session closed
    assert RefundOwed.objects.get(order=order).amount == D("3.00")
    assert not StripeCheckout.objects.filter(order=order, status="open").exists()
    truth = fresh(order)
    assert truth.refund_owed == D("3.00") and truth.still_to_pay == 0


def test_a_guest_pays_the_rest_through_the_signed_link(client, run, eggs, stripe_fake):  # noqa: F811
    guest = make_order(run, [(eggs, 10)], paid_online=True)
    guest.sources.update(
        source_type=SourceType.objects.get_or_create(code=STRIPE, defaults={"name": "Stripe"})[0]
    )
    token = links.order_token(guest)
    change = reverse("buyer:order-change", kwargs={"token": token})
    response = client.post(change, {f"qty-{guest.lines.get().pk}": "11"})
    checkout = StripeCheckout.objects.get(order=guest, purpose=StripeCheckout.Purpose.REST)
    assert response.url == checkout.url and checkout.amount == D("1.50")
    page = client.get(links.order_path(guest)).content.decode()
    assert reverse("buyer:order-pay-rest", kwargs={"token": token}) in page

    stripe_fake.pay(checkout.session_id)
    done = reverse("buyer:order-pay-rest-done", kwargs={"token": token})
    client.get(done + f"?session_id={checkout.session_id}")
    assert fresh(guest).settled


def test_nobody_pays_another_buyers_order_and_nothing_is_opened(
    client,
    order,
    run,
    stripe_fake,  # noqa: F811
):
    buyer = client
    buyer.force_login(order.user)
    grow(buyer, order, 12)
    opened = len(sessions_asked(stripe_fake))

    other = UserFactory(username="neighbour", email="n@example.cn")
    client.force_login(other)
    assert client.post(reverse("account-order-pay-rest", args=[order.number])).status_code == 404
    done = reverse("account-order-pay-rest-done", args=[order.number])
    assert client.get(done + "?session_id=x").status_code == 404
    client.logout()
    tampered = links.order_token(order)[:-2] + "xx"
    assert client.post(reverse("buyer:order-pay-rest", args=[tampered])).status_code == 404
    signed_out = client.post(reverse("account-order-pay-rest", args=[order.number]))
    assert signed_out.status_code == 302 and "login" in signed_out.url
    assert len(sessions_asked(stripe_fake)) == opened


def test_an_order_with_nothing_left_to_pay_opens_no_session(buyer, order, stripe_fake):  # noqa: F811
    response = buyer.post(reverse("account-order-pay-rest", args=[order.number]), follow=True)
    assert "没有要补的款" in response.content.decode()
    assert sessions_asked(stripe_fake) == []
    assert buyer.get(reverse("account-order-pay-rest", args=[order.number])).status_code == 405


def test_a_rest_paid_after_the_order_was_cancelled_goes_back_through_its_own_payment(
    buyer,
    order,
    stripe_fake,  # noqa: F811
):
    from shop.order import life

    grow(buyer, order, 14)
    checkout = StripeCheckout.objects.get(order=order, purpose=StripeCheckout.Purpose.REST)
    assert life.cancel(order, message="买家取消", refund_reason="买家截单前取消")
    session = stripe_fake.pay(checkout.session_id)  # paid on Stripe's page meanwhile

    send_webhook(buyer, "checkout.session.completed", session)

    owed = list(RefundOwed.objects.filter(order=order).order_by("pk"))
    assert [row.amount for row in owed] == [D("15.00"), D("6.00")]
    for row in owed:
        life.settle_owed(row)
    truth = fresh(order)
    assert truth.refunds_paid == D("21.00") and truth.settled
    by_intent = {r["payment_intent"]: r["amount"] for r in stripe_fake.refunds.values()}
    assert by_intent == {f"pi_test_{order.number}": 1500, session["payment_intent"]: 600}
