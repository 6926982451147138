"""Pay on pickup marked paid by the team; refunds through Stripe or as cash owed."""

from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from oscar.core.loading import get_model

from shop.payment import processing, refunds
from shop.payment.processing import PaymentProblem
from tests.partner.factories import UserFactory, team_member
from tests.payment.conftest import add_to_basket, checkout, send_webhook

Order = get_model("order", "Order")
Refund = get_model("payment", "Refund")
StripeCheckout = get_model("payment", "StripeCheckout")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pickup_order(client, eggs, pickup_point):
    add_to_basket(client, eggs, 10)
    checkout(client, pickup_point, "pay-on-pickup")
    return Order.objects.get()


@pytest.fixture
def paid_online_order(client, eggs, pickup_point, stripe_fake):
    add_to_basket(client, eggs, 10)
    checkout(client, pickup_point, "stripe")
    send_webhook(
        client,
        "checkout.session.completed",
        stripe_fake.pay(StripeCheckout.objects.get().session_id),
    )
    return Order.objects.get()


def test_team_member_marks_pickup_order_paid_once(client, team, pickup_order):
    member = team_member(team)
    client.force_login(member)
    assert processing.is_unpaid(pickup_order)
    button = render_to_string("payment/mark_paid_button.html", {"order": pickup_order})
    assert reverse("payment:mark-paid", args=[pickup_order.number]) in button
    assert "¥15.00" in button

    url = reverse("payment:mark-paid", args=[pickup_order.number])
    client.post(url, {"next": "/shop/"})
    client.post(url, {"next": "/shop/"})

    source = pickup_order.sources.get()
    assert source.amount_debited == D("15.00")
    assert not processing.is_unpaid(pickup_order)
    event = pickup_order.payment_events.get(event_type__name="取货时付款")
    assert event.amount == D("15.00")
    note = pickup_order.notes.get(message__contains="取货时已收款")
    assert note.user == member
    assert render_to_string("payment/mark_paid_button.html", {"order": pickup_order}).strip() == ""


def test_other_team_cannot_mark_paid_or_refund(client, other_team, pickup_order):
    client.force_login(team_member(other_team))
    assert client.post(reverse("payment:mark-paid", args=[pickup_order.number])).status_code == 404
    assert client.get(reverse("payment:refund", args=[pickup_order.number])).status_code == 404
    assert pickup_order.sources.get().amount_debited == 0


def test_anonymous_cannot_mark_paid(client, pickup_order):
    response = client.post(reverse("payment:mark-paid", args=[pickup_order.number]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert pickup_order.sources.get().amount_debited == 0


def test_partial_refunds_add_up_and_never_exceed_what_was_paid(paid_online_order, stripe_fake):
    order = paid_online_order
    line = order.lines.get()
    clerk = UserFactory(username="clerk", is_staff=True)

    first = refunds.refund_lines(order, [(line, 3)], Refund.Reason.DAMAGED, clerk)
    second = refunds.refund_lines(order, [(line, 4)], Refund.Reason.SHORTFALL, clerk)

    assert (first.state, first.amount) == ("succeeded", D("4.50"))
    assert (second.state, second.amount) == ("succeeded", D("6.00"))
    assert order.sources.get().amount_refunded == D("10.50")
    with pytest.raises(PaymentProblem, match="最多还能退 3 件"):
        refunds.refund_lines(order, [(line, 4)], Refund.Reason.DAMAGED, clerk)
    with pytest.raises(PaymentProblem, match="最多还能退 ¥4.50"):
        refunds.refund_amount(order, D("5.00"), Refund.Reason.OTHER, clerk)
    rest = refunds.refund_order(order, Refund.Reason.CANCELLED, clerk)
    assert rest.amount == D("4.50")
    with pytest.raises(PaymentProblem, match="已经全部退款"):
        refunds.refund_order(order, Refund.Reason.CANCELLED, clerk)

    sent = [r for r in stripe_fake.requests if r["path"] == "/v1/refunds"]
    assert [r["params"]["amount"] for r in sent] == ["450", "600", "450"]
    assert len({r["key"] for r in sent}) == 3
    assert order.payment_events.filter(event_type__name="退款").count() == 3
    assert order.notes.filter(message__contains="clerk 操作").count() == 3


def test_a_refund_is_never_sent_twice(paid_online_order, stripe_fake):
    order = paid_online_order
    stripe_fake.down = True
    refund = refunds.refund_lines(order, [(order.lines.get(), 2)], Refund.Reason.DAMAGED)
    assert refund.state == "pending"  # Stripe unreachable: kept, same key next time

    stripe_fake.down = False
    refunds.send(refund)
    refunds.send(refund)  # a clerk double-clicks "retry"
    refund.refresh_from_db()
    refunds.send(refund)

    assert refund.state == "succeeded"
    assert len(stripe_fake.refunds) == 1
    keys = {r["key"] for r in stripe_fake.requests if r["path"] == "/v1/refunds"}
    assert keys == {f"nongzhu-refund-{refund.pk}"}
    assert order.sources.get().amount_refunded == D("3.00")


def test_refund_webhook_after_api_answer_changes_nothing(client, paid_online_order, stripe_fake):
    refund = refunds.refund_lines(
        paid_online_order, [(paid_online_order.lines.get(), 1)], Refund.Reason.DAMAGED
    )
    stripe_refund = stripe_fake.refunds[refund.stripe_refund_id]
    assert send_webhook(client, "refund.updated", stripe_refund).json() == {
        "outcome": "already-settled"
    }
    assert paid_online_order.sources.get().amount_refunded == D("1.50")


def test_pay_on_pickup_refund_is_cash_owed(pickup_order, team):
    member = team_member(team)
    refund = refunds.refund_lines(
        pickup_order, [(pickup_order.lines.get(), 4)], Refund.Reason.SHORTFALL, member
    )
    assert refund.state == "cash_owed"
    assert processing.amount_to_collect(pickup_order) == D("9.00")
    assert pickup_order.payment_events.get(event_type__name="待退现金").amount == D("6.00")


def test_team_member_refunds_lines_from_the_dashboard_form(client, team, paid_online_order):
    client.force_login(team_member(team))
    url = reverse("payment:refund", args=[paid_online_order.number])
    line = paid_online_order.lines.get()

    bad = client.post(url, {"reason": "damaged", f"qty-{line.pk}": "abc"})
    assert bad.status_code == 400 and "整数" in bad.content.decode()
    too_many = client.post(url, {"reason": "damaged", f"qty-{line.pk}": "11"})
    assert too_many.status_code == 400 and "最多还能退 10 件" in too_many.content.decode()
    ok = client.post(url, {"reason": "damaged", f"qty-{line.pk}": "2", "note": "破了两个"})
    assert ok.status_code == 302
    assert paid_online_order.sources.get().amount_refunded == D("3.00")


def test_refund_owed_from_a_shortfall_is_paid_back_once(paid_online_order, stripe_fake):
    from fulfilment.models import RefundOwed

    line = paid_online_order.lines.get()
    owed = RefundOwed.objects.create(
        order=paid_online_order, line=line, amount=D("3.00"), reason="缺货：散养土鸡蛋 减少 2"
    )

    refund = refunds.settle_owed(owed)
    again = refunds.settle_owed(owed)

    owed.refresh_from_db()
    assert (refund.state, refund.amount, refund.note) == ("succeeded", D("3.00"), owed.reason)
    assert again is None
    assert owed.settled_at is not None and owed.reference == refund.stripe_refund_id
    assert len(stripe_fake.refunds) == 1
    assert paid_online_order.sources.get().amount_refunded == D("3.00")


def test_refund_owed_is_paid_back_through_stripe_when_the_shortfall_commits(
    paid_online_order, stripe_fake, django_capture_on_commit_callbacks
):
    from fulfilment.models import RefundOwed

    line = paid_online_order.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        owed = RefundOwed.objects.create(
            order=paid_online_order, line=line, amount=D("3.00"), reason="缺货：散养土鸡蛋 减少 2"
        )
    owed.refresh_from_db()
    assert owed.settled_at is not None
    assert len(stripe_fake.refunds) == 1
    assert paid_online_order.sources.get().amount_refunded == D("3.00")


def test_refund_owed_waits_for_the_team_when_stripe_is_off(
    paid_online_order, stripe_fake, settings, django_capture_on_commit_callbacks
):
    from fulfilment.models import RefundOwed

    settings.STRIPE_SECRET_KEY = ""
    line = paid_online_order.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        owed = RefundOwed.objects.create(
            order=paid_online_order, line=line, amount=D("3.00"), reason="缺货"
        )
    owed.refresh_from_db()
    assert owed.settled_at is None
    assert len(stripe_fake.refunds) == 0


def test_pending_refund_is_retried_with_the_same_key(paid_online_order, stripe_fake):
    from shop.payment import tasks
    from shop.payment.models import Refund

    refund = Refund.objects.create(
        order=paid_online_order,
        source=paid_online_order.sources.get(),
        amount=D("2.00"),
        reason=Refund.Reason.DAMAGED,
    )
    assert tasks.retry_pending_refunds() == 1
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert tasks.retry_pending_refunds() == 0
    assert len(stripe_fake.refunds) == 1
