"""A household is paid once for each run: by the run or by its month, never both."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from fulfilment import payouts, runs, supply
from fulfilment.models import Allocation, DeliveryRun, Payout
from tests.fulfilment.factories import DeliveryRunFactory
from tests.order.factories import make_order

S = DeliveryRun.Status


@pytest.fixture
def two_runs(team, eggs, households, pickup_point):
    """Two closed runs in the same month; both households supply both."""
    today = timezone.localdate()
    month = today.replace(day=1)
    made = []
    for day in (3, 10):
        run = DeliveryRunFactory(
            team=team,
            stops=[pickup_point],
            date=month.replace(day=day),
            cutoff=timezone.now() + datetime.timedelta(hours=1),
        )
        supply.set_commitment(run, households["monitored"], eggs, 10)
        supply.set_commitment(run, households["poor"], eggs, 10)
        make_order(run, [(eggs, 16)], email=f"buyer{day}@example.cn")
        runs.change_status(run, S.CLOSED)
        DeliveryRun.objects.filter(pk=run.pk).update(status=S.DONE)  # paid once delivered
        run.refresh_from_db()
        made.append(run)
    return made


def by_household(statements):
    return {s.household.pk: s for s in statements}


def sales(run_list):
    return sum(
        (a.quantity * a.unit_price for a in Allocation.objects.filter(run__in=run_list)), D("0")
    )


@pytest.mark.django_db
def test_month_paid_then_run_shows_paid_and_is_refused(two_runs, team, households, member):
    first, second = two_runs
    month = payouts.for_month(team, first.date)
    monitored = by_household(month)[households["monitored"].pk]
    assert monitored.gross == D("30.00")  # 10 + 10 eggs at ¥1.50
    month_payout = payouts.mark_paid(monitored, member)
    assert set(month_payout.covered_runs.all()) == {first, second}

    run_statement = by_household(payouts.for_run(first))[households["monitored"].pk]
    assert run_statement.paid == month_payout
    with pytest.raises(payouts.AlreadyPaid):
        payouts.mark_paid(run_statement, member)
    # the other household is still unpaid for that run, and can be paid by the run
    poor = by_household(payouts.for_run(first))[households["poor"].pk]
    assert poor.paid is None
    payouts.mark_paid(poor, member)
    assert Payout.objects.count() == 2


@pytest.mark.django_db
def test_run_paid_then_month_leaves_it_out(two_runs, team, households, member):
    first, second = two_runs
    run_payout = payouts.mark_paid(
        by_household(payouts.for_run(first))[households["poor"].pk], member
    )
    month = by_household(payouts.for_month(team, first.date))
    poor = month[households["poor"].pk]
    assert [line[0] for line in poor.lines] == [second] and poor.gross == D("9.00")
    month_payout = payouts.mark_paid(poor, member)
    assert set(month_payout.covered_runs.all()) == {second}
    assert by_household(payouts.for_run(first))[households["poor"].pk].paid == run_payout
    assert by_household(payouts.for_run(second))[households["poor"].pk].paid == month_payout


@pytest.mark.django_db
def test_a_stale_statement_is_refused_inside_the_transaction(two_runs, team, households, member):
    """Two team members on two phones: one has the run's statement open, the other pays the
    month; the first press must not pay the run again."""
    first, _second = two_runs
    stale_run = by_household(payouts.for_run(first))[households["monitored"].pk]
    stale_month = by_household(payouts.for_month(team, first.date))[households["monitored"].pk]
    assert stale_run.paid is None and stale_month.paid is None
    payouts.mark_paid(stale_month, member)
    with pytest.raises(payouts.AlreadyPaid):
        payouts.mark_paid(stale_run, member)

    stale_run = by_household(payouts.for_run(first))[households["poor"].pk]
    stale_month = by_household(payouts.for_month(team, first.date))[households["poor"].pk]
    payouts.mark_paid(stale_run, member)
    with pytest.raises(payouts.AlreadyPaid):
        payouts.mark_paid(stale_month, member)
    assert Payout.objects.count() == 2


@pytest.mark.django_db
def test_payouts_add_up_to_sales_whichever_way_they_are_paid(two_runs, team, households, member):
    first, second = two_runs
    payouts.mark_paid(by_household(payouts.for_run(first))[households["poor"].pk], member)
    payouts.mark_paid(
        by_household(payouts.for_month(team, first.date))[households["monitored"].pk], member
    )
    payouts.mark_paid(
        by_household(payouts.for_month(team, first.date))[households["poor"].pk], member
    )
    # nothing left to pay, by month or by run
    assert all(s.paid for s in payouts.for_month(team, first.date))
    assert all(s.paid for run in two_runs for s in payouts.for_run(run))
    paid = sum(Payout.objects.values_list("gross", flat=True), D("0"))
    assert paid == sales(two_runs) == D("48.00")  # 2 runs × 16 eggs × ¥1.50


@pytest.mark.django_db
def test_a_run_closed_after_its_month_was_paid_is_paid_on_its_own(
    two_runs, team, eggs, households, member, pickup_point
):
    first, _second = two_runs
    payouts.mark_paid(
        by_household(payouts.for_month(team, first.date))[households["monitored"].pk], member
    )
    late = DeliveryRunFactory(
        team=team,
        stops=[pickup_point],
        date=first.date.replace(day=20),
        cutoff=timezone.now() + datetime.timedelta(hours=1),
    )
    supply.set_commitment(late, households["monitored"], eggs, 10)
    make_order(late, [(eggs, 4)], email="late@example.cn")
    runs.change_status(late, S.CLOSED)
    DeliveryRun.objects.filter(pk=late.pk).update(
        status=S.DONE
    )  # delivered after the month was paid

    month = by_household(payouts.for_month(team, first.date))[households["monitored"].pk]
    assert month.paid and month.gross == D("30.00") and month.later_runs == [late]
    late_statement = by_household(payouts.for_run(late))[households["monitored"].pk]
    assert late_statement.paid is None
    payouts.mark_paid(late_statement, member)
    monitored_paid = Payout.objects.filter(household=households["monitored"])
    assert sum(monitored_paid.values_list("gross", flat=True), D("0")) == D("36.00")


@pytest.mark.django_db
def test_payout_page_says_paid_by_the_month_and_refuses_the_run(
    client, two_runs, team, households, member
):
    first, _second = two_runs
    client.force_login(member)
    month = f"{first.date:%Y-%m}"
    household = households["monitored"]
    url = f"/shop/team/payouts/{household.pk}/paid/"
    asked = client.post(url, {"team": team.pk, "month": month})  # the first tap asks
    net = asked.context["statement"].net
    client.post(url, {"team": team.pk, "month": month, "confirm": "1", "seen": str(net)})
    page = client.get(f"/shop/team/payouts/?run={first.pk}").content.decode()
    assert f"（{month} 按月结算）" in page
    response = client.post(
        f"/shop/team/payouts/{household.pk}/paid/", {"run": first.pk}, follow=True
    )
    assert "这笔已经标记过付款了" in response.content.decode()
    assert household.payouts.count() == 1


@pytest.mark.django_db
def test_garbled_payout_filters_are_404_not_500(client, member, team):
    client.force_login(member)
    for query in ("?run=abc", "?team=x1", "?team=1;drop"):
        assert client.get(f"/shop/team/payouts/{query}").status_code == 404, query
    assert client.get("/shop/team/crates/?team=abc").status_code == 404
