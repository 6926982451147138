"""Shortfalls cut the latest orders and owe refunds; payouts add up to what was sold."""

import datetime
from decimal import Decimal as D

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from fulfilment import payouts, runs, shortfalls, supply
from fulfilment.lists import packing_list, run_sheet
from fulfilment.models import Allocation, DeliveryRun, LineCut, RefundOwed

S = DeliveryRun.Status


@pytest.fixture
def closed_run(run, eggs, households):
    from tests.order.factories import make_order

    supply.set_commitment(run, households["monitored"], eggs, 20)
    supply.set_commitment(run, households["poor"], eggs, 40)
    now = timezone.now()
    first = make_order(
        run,
        [(eggs, 20)],
        email="early@example.cn",
        paid_online=True,
        placed=now - datetime.timedelta(hours=3),
    )
    second = make_order(
        run,
        [(eggs, 10)],
        email="late@example.cn",
        paid_online=True,
        placed=now - datetime.timedelta(hours=1),
    )
    third = make_order(
        run, [(eggs, 10)], email="cash@example.cn", placed=now - datetime.timedelta(hours=2)
    )
    runs.change_status(run, S.CLOSED)
    run.orders = {"first": first, "second": second, "third": third}
    return run


@pytest.mark.django_db
def test_shortfall_cuts_last_orders_first_and_owes_refunds(
    closed_run, eggs, households, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shortfall = shortfalls.record_shortfall(closed_run, households["poor"], eggs, 15)
    orders = closed_run.orders
    cuts = {cut.line.order_id: cut.quantity for cut in LineCut.objects.filter(shortfall=shortfall)}
    assert cuts == {orders["second"].pk: 10, orders["third"].pk: 5}
    # paid online → refund owed; paid on pickup → less cash to collect, nothing owed
    assert list(RefundOwed.objects.values_list("order_id", "amount")) == [
        (orders["second"].pk, D("15.00"))
    ]
    packed = {p.number: p for p in packing_list(closed_run)}
    assert packed[orders["third"].number].items[0][1] == 5
    assert packed[orders["third"].number].cash == D("7.50")
    assert orders["second"].number not in [p.number for p in packing_list(closed_run) if p.items]
    assert {m.to[0] for m in mail.outbox} == {"late@example.cn", "cash@example.cn"}
    assert Allocation.objects.get(run=closed_run, household=households["poor"]).quantity == 5


@pytest.mark.django_db
def test_shortfall_above_what_was_credited_is_refused(closed_run, eggs, households):
    with pytest.raises(shortfalls.ShortfallError):
        shortfalls.record_shortfall(closed_run, households["monitored"], eggs, 21)
    assert not LineCut.objects.exists() and not RefundOwed.objects.exists()


@pytest.mark.django_db
def test_payouts_add_up_to_sales_after_a_shortfall(closed_run, eggs, households):
    shortfalls.record_shortfall(closed_run, households["poor"], eggs, 15)
    DeliveryRun.objects.filter(pk=closed_run.pk).update(status=S.DONE)  # paid once delivered
    statements = payouts.for_run(closed_run)
    sold_after_cuts = sum(
        (order.total_incl_tax for order in closed_run.orders.values()), D("0")
    ) - sum(LineCut.objects.values_list("amount", flat=True), D("0"))
    assert sum(s.gross for s in statements) == sold_after_cuts == D("37.50")
    by_household = {s.household.pk: s.net for s in statements}
    assert by_household == {
        households["monitored"].pk: D("30.00"),
        households["poor"].pk: D("7.50"),
    }


@pytest.mark.django_db
@override_settings(HOUSEHOLD_PAYOUT_FEE_PERCENT=5)
def test_fee_is_taken_and_month_does_not_pay_a_run_twice(closed_run, team, households, member):
    DeliveryRun.objects.filter(pk=closed_run.pk).update(status=S.DONE)  # paid once delivered
    statements = payouts.for_run(closed_run)
    monitored = next(s for s in statements if s.household == households["monitored"])
    assert (monitored.gross, monitored.fee, monitored.net) == (D("30.00"), D("1.50"), D("28.50"))
    payouts.mark_paid(monitored, member)
    with pytest.raises(payouts.AlreadyPaid):
        payouts.mark_paid(monitored, member)
    month = payouts.for_month(team, closed_run.date)
    assert [s.household for s in month] == [households["poor"]]
    assert month[0].gross == D("30.00")


@pytest.mark.django_db
def test_run_sheet_lists_cash_for_pay_on_pickup_orders_only(closed_run):
    rows = run_sheet(closed_run)
    cash = {o.number: o.cash for row in rows for o in row["orders"]}
    assert cash[closed_run.orders["third"].number] == D("15.00")
    assert cash[closed_run.orders["first"].number] == D("0")
    assert [row["stop"].kind for row in rows] == ["household", "household", "pickup"]
