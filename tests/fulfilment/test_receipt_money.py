"""Receipts and household pages agree with the money records, for random runs: random
supply promises, orders, shortfalls (cuts) and payouts. Each order's receipt credits add
up to its goods handed over net of cuts; each household's page totals equal its payouts
and its run statements; what the receipts give a household is what its statement credits,
and the impact page's household figures are the same sums.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.models import Household
from content import impact
from fulfilment import household_page, payouts, receipt, runs, shortfalls, supply
from fulfilment.models import Allocation, DeliveryRun, Payout
from shop.figures import running
from shop.order import money
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock
from tests.order.factories import make_order
from tests.partner.factories import team_member

S = DeliveryRun.Status
TIERS = (Household.Status.MONITORED, Household.Status.FORMERLY_POOR, Household.Status.OTHER)


class Rollback(Exception):
    pass


lives = st.fixed_dictionaries(
    {
        # eggs and chickens each household promises
        "promises": st.lists(
            st.tuples(st.integers(0, 12), st.integers(0, 3)), min_size=3, max_size=3
        ),
        # orders: (eggs, chickens), the earliest first
        "orders": st.lists(
            st.tuples(st.integers(0, 8), st.integers(0, 2)).filter(any), min_size=1, max_size=4
        ),
        # share (0..1) of each household's credited eggs and chickens it fails to bring
        "shortfalls": st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=3, max_size=3),
        "paid": st.lists(st.booleans(), min_size=3, max_size=3),
        "fee": st.sampled_from([0, 5]),
    }
)


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(life=lives)
def test_receipts_and_household_pages_add_up(life, team, pickup_point):
    try:
        with override_settings(HOUSEHOLD_PAYOUT_FEE_PERCENT=life["fee"]), transaction.atomic():
            _check(life, team, pickup_point)
            raise Rollback
    except Rollback:
        pass


def _check(life, team, point):
    run, households, orders = _live(life, team, point)
    _check_receipts_and_households(run, households, orders)


def _live(life, team, point):
    """Promises, orders, cut-off, shortfalls, delivery and payouts as ``life`` says."""
    run = point.runs.get()
    eggs = product_in_stock(team=team, title="散养土鸡蛋", price=D("1.50"), stock=100)
    birds = product_in_stock(team=team, title="小笨鸡", price=D("68.00"), stock=100)
    village = VillageFactory()
    households = [
        HouseholdFactory(team=team, village=village, status=tier, consent_name=n != 2)
        for n, tier in enumerate(TIERS)
    ]
    for household, (egg_units, bird_units) in zip(households, life["promises"], strict=True):
        supply.set_commitment(run, household, eggs, egg_units)
        supply.set_commitment(run, household, birds, bird_units)
    # buyers never take more than households promised: every unit has a household
    left = {
        eggs: sum(p[0] for p in life["promises"]),
        birds: sum(p[1] for p in life["promises"]),
    }
    now = timezone.now()
    orders = []
    for n, wanted in enumerate(life["orders"]):
        items = []
        for product, units in zip((eggs, birds), wanted, strict=True):
            units = min(units, left[product])
            if units:
                items.append((product, units))
                left[product] -= units
        if items:
            orders.append(
                make_order(
                    run,
                    items,
                    email=f"{n}@example.cn",
                    placed=now - datetime.timedelta(minutes=10 - n),
                )
            )
    runs.change_status(run, S.CLOSED)
    for household, shares in zip(households, life["shortfalls"], strict=True):
        for product, share in zip((eggs, birds), shares, strict=True):
            credited = Allocation.objects.filter(run=run, household=household, product=product)
            units = int((credited.first().quantity if credited.exists() else 0) * share)
            if units:
                shortfalls.record_shortfall(run, household, product, units)
    DeliveryRun.objects.filter(pk=run.pk).update(status=S.DONE)
    running.runs_changed([run.pk])  # done past the run's own move: the figures are told
    run.refresh_from_db()
    member = team_member(team)
    for statement in payouts.for_run(run):
        if life["paid"][households.index(statement.household)]:
            payouts.mark_paid(statement, member)
    return run, households, orders


def _check_receipts_and_households(run, households, orders):
    by_household = {household.pk: D("0") for household in households}
    for order in orders:
        money.forget(order)
        truth = money.of(order)
        shown = receipt.for_order(order)
        assert shown.allocated
        assert shown.credited == truth.goods - truth.cuts, order.number
        for line in shown.lines:
            assert line.credited_units == line.quantity  # every unit names its household
        for total in shown.households:
            by_household[total.household_id] += total.amount

    client = Client()
    for household in households:
        account = payouts.for_household(household)
        made = list(Payout.objects.filter(household=household))
        assert account.paid == sum((p.net for p in made), D("0"))
        assert account.earned == sum(
            (s.net for s in payouts.for_run(run) if s.household == household), D("0")
        )
        gross = sum((s.gross for s in account.runs), D("0"))
        assert gross == by_household[household.pk]  # the receipts' credits are the statement's
        assert account.unpaid == (D("0") if made else account.earned)
        for shown in (receipt.for_order(o) for o in orders):
            for total in shown.households:
                if total.household_id == household.pk:
                    assert (total.pay_state == receipt.PAID) == bool(made)
        html = client.get(household_page.path_for(household, "zh-hans")).content.decode()
        assert f"¥{account.earned}" in html and f"¥{account.paid}" in html

    # the impact page's household figures read the same records
    figures = impact.build_report()
    assert figures.credited == sum(by_household.values(), D("0"))
    assert figures.households_credited == len([a for a in by_household.values() if a])
    assert figures.households_paid == Payout.objects.values("household").distinct().count()
    assert figures.totals.paid == sum((p.net for p in Payout.objects.all()), D("0"))
