"""The seams the product owner hit, walked as the team and the buyer walk them."""

import datetime
import re
import uuid
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from content import impact
from fulfilment import payouts, runs, shortfalls
from fulfilment.models import DeliveryRun, OrderRun, Payout
from shop.desk.reports import SalesReport
from shop.order import money
from shop.order import status as S
from tests.catalogue.factories import HouseholdFactory
from tests.fulfilment.factories import CommitmentFactory
from tests.order.factories import make_order
from tests.partner.factories import team_member

Order = get_model("order", "Order")
Status = DeliveryRun.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(team, eggs):
    household = HouseholdFactory(team=team)
    eggs.households.add(household)
    return household


@pytest.fixture
def member(team):
    return team_member(team)


def _close(run):
    DeliveryRun.objects.filter(pk=run.pk).update(cutoff=timezone.now() - datetime.timedelta(1))
    run.refresh_from_db()
    runs.change_status(run, Status.CLOSED)


def _tap(client, run, action, stop, order=None):
    data = {"key": str(uuid.uuid4()), "action": action, "stop": stop}
    if order is not None:
        data["order"] = order.pk
    return client.post(reverse("fulfilment:driver-tap", args=[run.pk]), data)


def _money_on(html, testid):
    match = re.search(rf'data-testid="{testid}"[^>]*>.*?¥\s?([0-9.,]+)', html, re.S)
    return D(match.group(1).replace(",", "")) if match else None


def test_cut_pay_on_pickup_order_owes_less_everywhere_and_is_promised_no_refund(
    client, team, run, eggs, household, member, customer, mailoutbox
):
    CommitmentFactory(run=run, household=household, product=eggs, quantity=100)
    order = make_order(run, [(eggs, 50)])  # 50 × ¥1.50 = ¥75.00, pay on pickup
    Order.objects.filter(pk=order.pk).update(user=customer)
    _close(run)
    mailoutbox.clear()
    with django_on_commit():
        shortfalls.record_shortfall(run, household, eggs, 7, actor=member)

    # the buyer's order page: 43 eggs, ¥64.50 due, to pay at pickup, no refund
    client.force_login(customer)
    page = client.get(reverse("customer:order", args=[order.number])).content.decode()
    assert _money_on(page, "money-due") == D("64.50")
    assert _money_on(page, "money-to-collect") == D("64.50")
    assert 'data-testid="money-refund-owed"' not in page
    assert "× 43" in page and "部分缺货" in page
    # the e-mail says pay less, not "refund the original way"
    body = mailoutbox[-1].body
    assert "原路退回" not in body and "64.50" in body

    # the driver card and its button say the same, and the button records exactly that
    client.force_login(member)
    driver = client.get(reverse("fulfilment:driver", args=[run.pk])).content.decode()
    card = driver[driver.index(f'data-order="{order.number}"') :]
    assert "收现金 ¥64.50" in card and "已收款 ¥64.50" in card
    client.post(reverse("payment:mark-paid", args=[order.number]), {"next": "/"})
    order.refresh_from_db()
    assert money.of(order).paid_cash == D("64.50")
    assert money.of(order).cash_to_collect == 0


def test_handover_moves_the_order_for_buyer_team_and_impact(
    client, team, run, eggs, household, member, customer
):
    CommitmentFactory(run=run, household=household, product=eggs, quantity=100)
    order = make_order(run, [(eggs, 10)])
    Order.objects.filter(pk=order.pk).update(user=customer)
    assert impact.build_report().totals.orders == 0
    _close(run)
    order.refresh_from_db()
    assert order.status == S.CONFIRMED
    client.force_login(member)
    _tap(client, run, "collected", f"h{household.pk}")
    order.refresh_from_db()
    assert order.status == S.ON_ITS_WAY  # its only household collected: the car leaves
    link = OrderRun.objects.get(order=order)
    _tap(client, run, "arrived", f"p{link.pickup_id}")
    order.refresh_from_db()
    assert order.status == S.READY
    _tap(client, run, "handed_over", f"p{link.pickup_id}", order=order)
    order.refresh_from_db()
    assert order.status == S.HANDED_OVER  # cash not yet taken
    assert set(order.lines.values_list("status", flat=True)) == {S.HANDED_OVER}
    client.post(reverse("payment:mark-paid", args=[order.number]), {"next": "/"})
    order.refresh_from_db()
    assert order.status == S.COMPLETED
    run.refresh_from_db()
    assert run.status == Status.DONE

    client.force_login(customer)
    page = client.get(reverse("customer:order", args=[order.number])).content.decode()
    assert "已完成" in page
    figures = impact.build_report()
    assert figures.totals.orders == 1
    assert figures.totals.income == SalesReport().total().amount == D("15.00")


def test_online_paid_cut_is_refunded_once_through_stripe(
    client, team, run, eggs, household, member, stripe_fake
):
    from shop.order import life
    from shop.payment.methods import STRIPE

    SourceType = get_model("payment", "SourceType")
    CommitmentFactory(run=run, household=household, product=eggs, quantity=100)
    order = make_order(run, [(eggs, 20)], paid_online=True)  # ¥30.00 paid
    order.sources.update(
        source_type=SourceType.objects.get_or_create(code=STRIPE, defaults={"name": "Stripe"})[0],
        reference="pi_test_cut",
    )
    stripe_fake.charged["pi_test_cut"] = 3000
    _close(run)
    shortfalls.record_shortfall(run, household, eggs, 4, actor=member)
    assert money.of(order).refund_owed == D("6.00")
    owed = order.refunds_owed.get()
    life.settle_owed(owed)
    life.settle_owed(owed)  # a second press sends nothing
    money.forget(order)
    assert money.of(order).refund_owed == 0
    assert money.of(order).refunds_paid == D("6.00")
    assert [r["amount"] for r in stripe_fake.refunds.values()] == [600]


def test_payouts_cover_only_delivered_runs_and_the_impact_page_shows_them(
    team, run, later_run, eggs, household, member
):
    for each in (run, later_run):
        CommitmentFactory(run=each, household=household, product=eggs, quantity=100)
        make_order(each, [(eggs, 10)])
    _close(run)
    # the second run has closed but not been delivered: not in this month's payout
    DeliveryRun.objects.filter(pk=later_run.pk).update(
        cutoff=timezone.now() - datetime.timedelta(hours=1), date=run.date
    )
    later_run.refresh_from_db()
    runs.change_status(later_run, Status.CLOSED)
    DeliveryRun.objects.filter(pk=run.pk).update(status=Status.DONE)
    statements = payouts.for_month(team, run.date)
    assert [s.gross for s in statements] == [D("15.00")]
    payouts.mark_paid(statements[0], member)
    assert impact.build_report().totals.paid == Payout.objects.get().net == D("15.00")


class django_on_commit:
    """Run on-commit callbacks (the e-mails) inside a test transaction."""

    def __enter__(self):
        from django.test import TestCase

        self._capture = TestCase.captureOnCommitCallbacks(execute=True)
        return self._capture.__enter__()

    def __exit__(self, *exc):
        return self._capture.__exit__(*exc)
