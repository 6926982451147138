"""Refunds owed after a shortfall or a cancelled run, when Stripe answers "pending" first.

Stripe settles some refunds later (Alipay, WeChat Pay, a short balance): the ``RefundOwed``
row must be marked settled when the refund succeeds, whether the retry job or the webhook
finds out first, and stay open for the team when the refund fails.
"""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.payment import refunds, tasks
from tests.partner.factories import team_member
from tests.payment.conftest import add_to_basket, checkout, send_webhook

Order = get_model("order", "Order")
Refund = get_model("payment", "Refund")
StripeCheckout = get_model("payment", "StripeCheckout")

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_online_order(client, eggs, pickup_point, stripe_fake):
    add_to_basket(client, eggs, 10)
    checkout(client, pickup_point, "stripe")
    send_webhook(
        client,
        "checkout.session.completed",
        stripe_fake.pay(StripeCheckout.objects.get().session_id),
    )
    client.logout()
    return Order.objects.get()


@pytest.fixture
def pending_owed(paid_online_order, stripe_fake):
    """A shortfall refund that Stripe accepted but has not finished."""
    from fulfilment.models import RefundOwed

    stripe_fake.refund_status = "pending"
    owed = RefundOwed.objects.create(
        order=paid_online_order,
        line=paid_online_order.lines.get(),
        amount=D("3.00"),
        reason="缺货：散养土鸡蛋 减少 2",
    )
    refund = refunds.settle_owed(owed)
    assert refund.state == Refund.State.PENDING and refund.stripe_refund_id
    assert owed.settled_at is None
    return owed


def stripe_refund_posts(stripe_fake):
    return [r for r in stripe_fake.requests if r["method"] == "post" and r["path"] == "/v1/refunds"]


def test_pending_refund_that_succeeds_on_the_retry_job_settles_the_owed_row(
    pending_owed, stripe_fake
):
    refund = pending_owed.refunds.get()
    stripe_fake.finish_refund(refund.stripe_refund_id)

    assert tasks.retry_pending_refunds() == 1

    pending_owed.refresh_from_db()
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCEEDED
    assert pending_owed.settled_at is not None
    assert pending_owed.reference == refund.stripe_refund_id
    assert pending_owed.order.sources.get().amount_refunded == D("3.00")
    # The job asked about the refund Stripe already had; it did not create another one.
    assert len(stripe_refund_posts(stripe_fake)) == 1 and len(stripe_fake.refunds) == 1
    assert tasks.retry_pending_refunds() == 0


def test_retry_job_leaves_a_refund_still_pending_at_stripe_alone(pending_owed, stripe_fake):
    tasks.retry_pending_refunds()

    pending_owed.refresh_from_db()
    assert pending_owed.settled_at is None
    assert pending_owed.refunds.get().state == Refund.State.PENDING
    assert len(stripe_fake.refunds) == 1


@pytest.mark.parametrize("event_type", ["refund.updated", "charge.refund.updated"])
def test_refund_webhook_settles_the_owed_row(client, pending_owed, stripe_fake, event_type):
    refund = pending_owed.refunds.get()

    response = send_webhook(client, event_type, stripe_fake.finish_refund(refund.stripe_refund_id))

    assert response.status_code == 200
    pending_owed.refresh_from_db()
    assert pending_owed.settled_at is not None
    assert pending_owed.reference == refund.stripe_refund_id
    assert pending_owed.order.sources.get().amount_refunded == D("3.00")
    # A later retry run finds nothing to do and sends nothing.
    assert tasks.retry_pending_refunds() == 0
    assert len(stripe_fake.refunds) == 1


def test_settling_again_while_pending_does_not_refund_twice(pending_owed, stripe_fake):
    again = refunds.settle_owed(pending_owed)

    assert again == pending_owed.refunds.get()
    assert len(stripe_refund_posts(stripe_fake)) == 1
    pending_owed.refresh_from_db()
    assert pending_owed.settled_at is None


@pytest.mark.parametrize("status", ["failed", "canceled"])
def test_failed_refund_leaves_the_owed_row_open_and_shown_to_the_team(
    client, team, pending_owed, stripe_fake, status
):
    refund = pending_owed.refunds.get()
    send_webhook(
        client,
        "refund.updated",
        stripe_fake.finish_refund(
            refund.stripe_refund_id, status, failure_reason="expired_or_canceled_card"
        ),
    )

    pending_owed.refresh_from_db()
    refund.refresh_from_db()
    assert refund.state == Refund.State.FAILED
    assert pending_owed.settled_at is None
    assert pending_owed.order.sources.get().amount_refunded == D("0.00")
    assert pending_owed.order.notes.filter(message__contains="未成功").exists()
    assert tasks.retry_pending_refunds() == 0  # a failed refund needs a person

    client.force_login(team_member(team))
    page = client.get(reverse("payment:refund", args=[pending_owed.order.number]))
    owed_list = page.content.decode().split('data-testid="refunds-owed"')[1].split("</ul>")[0]
    assert "缺货：散养土鸡蛋 减少 2" in owed_list and "退款失败" in owed_list
    assert "expired_or_canceled_card" in owed_list

    # The team pays it back again from there; this time Stripe takes it at once.
    stripe_fake.refund_status = "succeeded"
    response = client.post(
        reverse("payment:refund", args=[pending_owed.order.number]), {"owed": pending_owed.pk}
    )
    assert response.status_code == 302
    pending_owed.refresh_from_db()
    assert pending_owed.settled_at is not None
    assert pending_owed.refunds.count() == 2
    assert pending_owed.order.sources.get().amount_refunded == D("3.00")
    page = client.get(reverse("payment:refund", args=[pending_owed.order.number]))
    assert 'data-testid="refunds-owed"' not in page.content.decode()


def test_retry_job_finding_the_refund_failed_leaves_the_owed_row_open(pending_owed, stripe_fake):
    refund = pending_owed.refunds.get()
    stripe_fake.finish_refund(
        refund.stripe_refund_id, "failed", failure_reason="lost_or_stolen_card"
    )

    tasks.retry_pending_refunds()

    pending_owed.refresh_from_db()
    refund.refresh_from_db()
    assert (refund.state, refund.failure) == (Refund.State.FAILED, "lost_or_stolen_card")
    assert pending_owed.settled_at is None


def test_refund_failing_after_it_succeeded_reopens_the_owed_row(client, pending_owed, stripe_fake):
    refund = pending_owed.refunds.get()
    send_webhook(client, "refund.updated", stripe_fake.finish_refund(refund.stripe_refund_id))
    pending_owed.refresh_from_db()
    assert pending_owed.settled_at is not None

    send_webhook(
        client,
        "refund.failed",
        stripe_fake.finish_refund(
            refund.stripe_refund_id, "failed", failure_reason="expired_or_canceled_card"
        ),
    )

    pending_owed.refresh_from_db()
    refund.refresh_from_db()
    assert refund.state == Refund.State.FAILED
    assert pending_owed.settled_at is None and pending_owed.reference == ""
    assert pending_owed.order.sources.get().amount_refunded == D("0.00")
    assert refunds.refundable(pending_owed.order.sources.get()) == D("15.00")


def test_other_team_cannot_pay_back_an_owed_refund(client, other_team, pending_owed):
    client.force_login(team_member(other_team))
    response = client.post(
        reverse("payment:refund", args=[pending_owed.order.number]), {"owed": pending_owed.pk}
    )
    assert response.status_code == 404
    assert pending_owed.refunds.count() == 1
