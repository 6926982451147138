"""Standing orders paid online per order: the choice on the form (offered by the checkout's
rule only), the order placed at the cut-off owing its amount, the e-mail's pay link to a
Stripe Checkout for exactly that, the webhook recording it once through the order-life
module; unpaid when the run sets off it is cash on the driver's card, and a payment landing
after the driver took the cash is owed back."""

import re
import uuid
from decimal import Decimal as D

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from fulfilment import runs
from fulfilment.models import DeliveryRun, OrderRun, RefundOwed
from shop.buyer import links
from shop.core.links import absolute
from shop.order import history, money
from shop.order import status as S
from shop.standing import placing
from shop.standing.models import StandingOrder, StandingRun
from tests.partner.factories import team_member
from tests.payment.conftest import send_webhook, stripe_fake  # noqa: F401  Stripe faked
from tests.standing.conftest import just_before, standing_for

pytestmark = pytest.mark.django_db

PaymentEvent = get_model("order", "PaymentEvent")
StripeCheckout = get_model("payment", "StripeCheckout")

ONLINE = StandingOrder.Payment.ONLINE


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def start_url(product):
    return reverse("standing:new") + f"?product={product.pk}&quantity=20"


def form_data(product, point, **extra):
    data = {
        "frequency": "weekly",
        f"qty-{product.pk}": "20",
        "point": point.pk,
        "name": "林小满",
        "phone": "13812345678",
    }
    data.update(extra)
    return data


def place(run, capture):
    with capture(execute=True):
        placing.place_due(now=just_before(run))
    return StandingRun.objects.get(run=run).order


def fresh(order):
    order.refresh_from_db()
    money.forget(order)
    return money.of(order)


def sessions_asked(fake):
    return [r for r in fake.requests if r["path"] == "/v1/checkout/sessions"]


def driver_cash(client, run, order):
    html = client.get(reverse("fulfilment:driver", args=[run.pk])).content.decode()
    card = re.search(rf'data-order="{order.number}".*?(?=data-order=|</ol>)', html, re.S)
    shown = {D(a) for a in re.findall(r"收现金 ¥([0-9.]+)", card.group(0))}
    return shown.pop() if shown else D("0")


def pay_state(client, standing):
    page = client.get(reverse("standing:detail", kwargs={"pk": standing.pk})).content.decode()
    found = re.search(r'data-testid="standing-run-pay" data-pay="([a-z-]+)"', page)
    return found[1] if found else None, page


# --- the choice on the form ------------------------------------------------------------


def test_without_online_payment_the_form_offers_no_choice_and_places_on_pickup(
    client_a, buyer_a, eggs, point, weekly_runs
):
    page = client_a.get(start_url(eggs)).content.decode()
    assert 'data-testid="standing-payment"' not in page and "在线支付" not in page
    assert 'data-testid="standing-pay-on-pickup"' in page
    # A posted "stripe" is not a choice there is: the order is paid on pickup.
    response = client_a.post(start_url(eggs), form_data(eggs, point, payment="stripe"))
    assert response.status_code == 302
    assert StandingOrder.objects.get(owner=buyer_a).payment == StandingOrder.Payment.ON_PICKUP


def test_with_online_payment_the_buyer_chooses_and_a_wrong_choice_is_refused(
    client_a,
    buyer_a,
    eggs,
    point,
    weekly_runs,
    stripe_fake,  # noqa: F811
):
    page = client_a.get(start_url(eggs)).content.decode()
    assert 'data-testid="standing-payment"' in page
    assert "在线支付：每次下单后在线付款" in page and "到付：取货时付款" in page

    wrong = client_a.post(start_url(eggs), form_data(eggs, point, payment="bitcoin"))
    assert wrong.status_code == 200 and "请选怎么付款。" in text(wrong)
    assert not StandingOrder.objects.exists()

    response = client_a.post(start_url(eggs), form_data(eggs, point, payment="stripe"), follow=True)
    standing = StandingOrder.objects.get(owner=buyer_a)
    assert standing.payment == ONLINE
    page = text(response)
    assert "下单后用邮件里的链接或订单页在线付款" in page
    assert "付款方式：在线支付：每次下单后在线付款" in page
    assert "下单后在线付款（按下单时的价格）" in page and "取货时付款（按下单时" not in page


def test_online_payment_turned_off_since_places_the_order_paid_on_pickup(
    buyer_a, eggs, point, weekly_runs, settings, django_capture_on_commit_callbacks
):
    standing = standing_for(buyer_a, point, [(eggs, 20)])
    StandingOrder.objects.filter(pk=standing.pk).update(payment=ONLINE)
    settings.STRIPE_SECRET_KEY = ""
    order = place(weekly_runs[0], django_capture_on_commit_callbacks)
    truth = fresh(order)
    assert truth.is_pay_on_pickup and truth.cash_to_collect == D("30.00")
    body = mail.outbox[-1].body
    assert "取货时付款" in body and "在线付款：" not in body


# --- placed, paid through the e-mail's link ------------------------------------------------


@pytest.fixture
def online(buyer_a, eggs, point, weekly_runs, stripe_fake):  # noqa: F811
    """Buyer A's 20 eggs (¥30.00) every week, paid online per order."""
    standing = standing_for(buyer_a, point, [(eggs, 20)])
    StandingOrder.objects.filter(pk=standing.pk).update(payment=ONLINE)
    standing.refresh_from_db()
    return standing


def test_placed_owing_its_amount_and_paid_once_through_the_emails_link(
    online,
    client_a,
    buyer_a,
    team,
    weekly_runs,
    stripe_fake,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    run = weekly_runs[0]
    order = place(run, django_capture_on_commit_callbacks)
    truth = fresh(order)
    assert truth.is_online and truth.due == D("30.00") and truth.paid == 0
    assert truth.still_to_pay == D("30.00")
    assert order.status == S.PLACED  # placed, not waiting for a payment to stand
    due = PaymentEvent.objects.get(order=order, event_type__name=history.EVENT_DUE)
    assert due.amount == D("30.00")

    # The e-mail: the amount and a signed link to pay it.
    body = next(m for m in mail.outbox if buyer_a.email in m.to).body
    assert "合计 ¥30.00，在线支付。" in body
    pay_url = re.search(r"在线付款：(\S+)", body)[1]
    path = pay_url.removeprefix(absolute(""))
    assert path.startswith("/") and links.order_token(order) in path

    # The buyer's pages: the standing order's and the order's, each with the pay button.
    state, page = pay_state(client_a, online)
    assert state == "pay-online" and "在线支付 · 待付 ¥30.00" in page
    assert 'data-testid="standing-pay"' in page
    order_page = text(client_a.get(reverse("customer:order", args=[order.number])))
    assert "在线支付，待付 ¥30.00" in order_page and "车出发前没在线付的" in order_page

    # The link opens, without signing in, a Stripe Checkout for exactly the amount due.
    response = Client().get(path)
    checkout = StripeCheckout.objects.get(order=order)
    assert checkout.purpose == StripeCheckout.Purpose.REST and checkout.amount == D("30.00")
    assert response.status_code == 302 and response.url == checkout.url
    asked = sessions_asked(stripe_fake)[-1]["params"]
    assert asked["line_items"]["0"]["price_data"]["unit_amount"] == "3000"
    assert "补款" not in asked["line_items"]["0"]["price_data"]["product_data"]["name"]
    # opened again (the page's button): the same session, not a second one
    again = client_a.post(reverse("account-order-pay-rest", args=[order.number]))
    assert again.url == checkout.url and len(sessions_asked(stripe_fake)) == 1

    session = stripe_fake.pay(checkout.session_id)
    assert send_webhook(client_a, "checkout.session.completed", session).json() == {
        "outcome": "paid-rest"
    }
    truth = fresh(order)
    assert truth.paid_online == D("30.00") and truth.settled and truth.cash_to_collect == 0
    assert (
        PaymentEvent.objects.filter(order=order, event_type__name=history.EVENT_PAID_ONLINE).count()
        == 1
    )
    assert order.status == S.PLACED
    state, page = pay_state(client_a, online)
    assert state == "paid" and "已在线付款 ¥30.00" in page
    assert 'data-testid="standing-pay"' not in page
    order_page = text(client_a.get(reverse("customer:order", args=[order.number])))
    assert "在线付款成功 ¥30.00" in order_page and "待付" not in order_page

    # the same news again: nothing moves
    repeat = send_webhook(client_a, "checkout.session.completed", session, event_id="evt_again")
    assert repeat.json() == {"outcome": "already-paid"}
    assert fresh(order).paid_online == D("30.00")

    runs.change_status(run, DeliveryRun.Status.CLOSED)
    member = Client()
    member.force_login(team_member(team))
    assert driver_cash(member, run, order) == 0


def test_unpaid_when_the_run_sets_off_it_is_cash_and_a_late_payment_is_owed_back(
    online,
    client_a,
    team,
    weekly_runs,
    stripe_fake,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    run = weekly_runs[0]
    order = place(run, django_capture_on_commit_callbacks)
    token = links.order_token(order)
    link = reverse("standing:pay", kwargs={"token": token})
    Client().get(link)  # a session opened from the e-mail, never paid in time
    checkout = StripeCheckout.objects.get(order=order)

    # Cut-off and collecting: still payable online, the car has not left.
    runs.change_status(run, DeliveryRun.Status.CLOSED)
    runs.change_status(run, DeliveryRun.Status.COLLECTING)
    assert pay_state(client_a, online)[0] == "pay-online"

    runs.change_status(run, DeliveryRun.Status.DELIVERING)
    state, page = pay_state(client_a, online)
    assert state == "online-closed" and "在线付款已截止，取货时付现金 ¥30.00" in page
    assert 'data-testid="standing-pay"' not in page
    order_page = client_a.get(reverse("customer:order", args=[order.number])).content.decode()
    assert 'data-testid="pay-rest"' not in order_page
    assert 'data-testid="pay-online-closed"' in order_page
    assert re.search(r'data-testid="money-to-collect"[^>]*>[^<]*30\.00', order_page)
    refused = Client().get(link, follow=True)
    assert "车已出发，在线付款已截止" in text(refused)
    assert len(sessions_asked(stripe_fake)) == 1  # nothing more opened at Stripe

    member = Client()
    member.force_login(team_member(team))
    assert driver_cash(member, run, order) == D("30.00")
    stop = f"p{OrderRun.objects.get(order=order).pickup_id}"
    data = {"key": str(uuid.uuid4()), "action": "paid", "stop": stop, "order": order.pk}
    assert member.post(reverse("fulfilment:driver-tap", args=[run.pk]), data).status_code == 302
    truth = fresh(order)
    assert truth.paid_cash == D("30.00") and truth.settled
    assert driver_cash(member, run, order) == 0

    # The session from the e-mail is paid after all, after the cash: owed back once.
    send_webhook(client_a, "checkout.session.completed", stripe_fake.pay(checkout.session_id))
    owed = RefundOwed.objects.get(order=order)
    assert owed.amount == D("30.00") and owed.reason == "在线付款到账前已收现金"
    assert fresh(order).refund_owed == D("30.00")


def test_a_tampered_pay_link_is_a_404_and_opens_nothing(
    online,
    weekly_runs,
    stripe_fake,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    order = place(weekly_runs[0], django_capture_on_commit_callbacks)
    forged = f"{order.number}:forged"
    response = Client().get(reverse("standing:pay", kwargs={"token": forged}))
    assert response.status_code == 404
    assert not sessions_asked(stripe_fake) and not StripeCheckout.objects.exists()


def test_the_standing_page_reads_the_orders_money_at_once(
    online,
    client_a,
    weekly_runs,
    django_capture_on_commit_callbacks,
):
    """Each placed order adds at most two queries to the standing order's page (its run,
    for whether it may still be paid online); the money of all is read in one go."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("standing:detail", kwargs={"pk": online.pk})
    place(weekly_runs[0], django_capture_on_commit_callbacks)
    client_a.get(url)  # warm the caches every page shares
    with CaptureQueriesContext(connection) as one:
        assert client_a.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        placing.place_due(now=just_before(weekly_runs[1]))
    with CaptureQueriesContext(connection) as two:
        page = client_a.get(url).content.decode()
    assert page.count('data-pay="pay-online"') == 2
    assert len(two) - len(one) <= 2, [q["sql"][:120] for q in two.captured_queries]
