"""What each household earned: credited units × the price buyers paid, minus the stated fee.

Earnings come from ``Allocation`` rows (already reduced by shortfalls), per run or per
calendar month; birds priced by weight are credited by their real weight
(``shop.order.money.weight_credits``). ``settings.HOUSEHOLD_PAYOUT_FEE_PERCENT`` (default 0) is the share the
alliance keeps, rounded to the fen. Marking as paid snapshots the figures in a ``Payout``
and records the runs it settled (``Payout.covered_runs``); that record is what keeps a
household from being paid twice for the same run:

- a month's statement leaves out runs already paid one by one;
- a run's statement shows as paid when the household's month payout covered that run;
- a run that closed after its month was paid is left out of the paid month and is paid on
  its own.

Marking as paid also texts the household (``shop.notices.payout_paid``: the amount and
the link to its own page), once per payout. ``for_household`` gives one household's
page its run statements, month totals and payouts by the same rules.

``mark_paid`` locks the household's row and checks the record again inside the
transaction, so two people pressing "paid" at once (one for the run, one for the month)
cannot both succeed.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction

from catalogue.models import Household
from fulfilment import signals
from fulfilment.models import Allocation, DeliveryRun, Payout
from shop import notices
from shop.order import money

CENT = Decimal("0.01")


def fee_percent():
    return Decimal(str(getattr(settings, "HOUSEHOLD_PAYOUT_FEE_PERCENT", 0) or 0))


class StatementLine(NamedTuple):
    """One credited product of one run on a household's statement."""

    run: DeliveryRun
    product: object
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass
class Statement:
    household: object
    run: object = None
    month: datetime.date = None
    lines: list[StatementLine] = field(default_factory=list)
    gross: Decimal = Decimal("0")
    fee: Decimal = Decimal("0")
    net: Decimal = Decimal("0")
    paid: object = None
    later_runs: list = field(default_factory=list)  # runs closed after the month was paid

    @property
    def period_key(self):
        return f"run-{self.run.pk}" if self.run else f"month-{self.month:%Y-%m}"


def credit_amount(unit_price, quantity):
    """The money a household is credited for ``quantity`` units at ``unit_price``."""
    return (unit_price * quantity).quantize(CENT)


def with_amounts(allocations):
    """[(allocation, credited amount)]: units × price, and for birds sold by weight what
    their real weight adds or takes off (``money.weight_credits``). The one rule every
    statement, household page and the impact page's credited figure add up."""
    allocations = list(allocations)
    by_weight = money.weight_credits(allocations)
    return [
        (
            row,
            credit_amount(row.unit_price, row.quantity)
            + by_weight.get((row.run_id, row.household_id, row.product_id), Decimal("0")),
        )
        for row in allocations
    ]


def _build(allocations, **period):
    statements = {}
    for row, amount in with_amounts(allocations):
        statement = statements.get(row.household_id)
        if statement is None:
            statement = statements[row.household_id] = Statement(household=row.household, **period)
        statement.lines.append(
            StatementLine(row.run, row.product, row.quantity, row.unit_price, amount)
        )
        statement.gross += amount
    for statement in statements.values():
        statement.fee = (statement.gross * fee_percent() / 100).quantize(CENT, ROUND_HALF_UP)
        statement.net = statement.gross - statement.fee
    return sorted(statements.values(), key=lambda s: (s.household.public_name, s.household.pk))


def _allocations():
    """Credits of delivered runs only: a household is paid for goods the buyers got."""
    return (
        Allocation.objects.filter(quantity__gt=0, run__status=DeliveryRun.Status.DONE)
        .select_related("household", "household__village", "product", "run")
        .order_by("run__date", "product_id")
    )


def credited():
    """What households are credited for delivered runs, the rows every statement, household
    page and order receipt adds up (the impact page counts its households from here)."""
    return _allocations()


def _covered(**filters):
    """{(household id, run id): payout} for the payouts that settled those runs."""
    rows = Payout.covered_runs.through.objects.filter(**filters).select_related("payout")
    return {(row.payout.household_id, row.deliveryrun_id): row.payout for row in rows}


def for_run(run):
    statements = _build(_allocations().filter(run=run), run=run)
    paid = {
        household_id: payout for (household_id, _run), payout in _covered(deliveryrun=run).items()
    }
    for statement in statements:
        statement.paid = paid.get(statement.household.pk)
    return statements


def month_start(value):
    return value.replace(day=1)


def for_month(team, month):
    month = month_start(month)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    in_month = {"run__team": team, "run__date__gte": month, "run__date__lt": following}
    covered = _covered(**{f"deliveryrun__{key[5:]}": value for key, value in in_month.items()})
    month_paid = {
        p.household_id: p for p in Payout.objects.filter(household__team=team, month=month)
    }
    kept, later = [], defaultdict(list)
    for row in _allocations().filter(**in_month):
        payout = covered.get((row.household_id, row.run_id))
        month_payout = month_paid.get(row.household_id)
        if payout is not None and payout != month_payout:
            continue  # paid with its run
        if payout is None and month_payout is not None:
            if row.run not in later[row.household_id]:
                later[row.household_id].append(row.run)
            continue
        kept.append(row)
    statements = _build(kept, month=month)
    for statement in statements:
        statement.paid = month_paid.get(statement.household.pk)
        statement.later_runs = later.get(statement.household.pk, [])
    return statements


class AlreadyPaid(ValueError):
    pass


def mark_paid(statement, actor):
    """Record the payout, or raise ``AlreadyPaid`` when any run of the statement (or its
    month) has been paid meanwhile."""
    run_ids = {line.run.pk for line in statement.lines}
    try:
        with transaction.atomic():
            # One household's payouts are written one after the other (a no-op on SQLite,
            # whose write transactions are serial anyway).
            Household.objects.select_for_update().filter(pk=statement.household.pk).first()
            already = statement.paid is not None or _covered(
                payout__household=statement.household, deliveryrun_id__in=run_ids
            )
            if statement.month is not None:
                already = (
                    already
                    or Payout.objects.filter(
                        household=statement.household, month=statement.month
                    ).exists()
                )
            if already:
                raise AlreadyPaid(statement.period_key)
            payout = Payout.objects.create(
                household=statement.household,
                run=statement.run,
                month=statement.month,
                gross=statement.gross,
                fee=statement.fee,
                net=statement.net,
                paid_by=actor if actor and actor.is_authenticated else None,
            )
            payout.covered_runs.set(run_ids)
            signals.payouts_made.send(Payout, payout_ids=[payout.pk])
            notices.payout_paid(payout)  # queued once the payout is committed
            return payout
    except IntegrityError as error:
        raise AlreadyPaid(statement.period_key) from error


@dataclass
class MonthTotal:
    month: datetime.date
    gross: Decimal = Decimal("0")  # credited for the month's delivered runs
    paid: Decimal = Decimal("0")  # payouts that settled the month or its runs
    runs: int = 0


@dataclass
class HouseholdAccount:
    """What one household's own page shows about its money, from four queries."""

    runs: list  # run statements (``for_run``'s rule), newest first; ``paid``: its payout
    months: list  # ``MonthTotal`` per month, newest first
    payouts: list  # the payouts made to it, newest first

    @property
    def earned(self):
        return sum((s.net for s in self.runs), Decimal("0"))

    @property
    def paid(self):
        return sum((p.net for p in self.payouts), Decimal("0"))

    @property
    def unpaid(self):
        return sum((s.net for s in self.runs if s.paid is None), Decimal("0"))


def for_household(household):
    """The run statements, month totals and payouts of one household: each run statement
    is built exactly as ``for_run`` builds it, and marked paid by the payout that covered
    the run (a run payout or the month's), so the page and the team's payout page agree."""
    by_run = defaultdict(list)
    for row in _allocations().filter(household=household):
        by_run[row.run].append(row)
    covered = _covered(payout__household=household)
    made = list(Payout.objects.filter(household=household).select_related("run"))
    statements = []
    for run, rows in by_run.items():
        statement = _build(rows, run=run)[0]
        statement.paid = covered.get((household.pk, run.pk))
        statements.append(statement)
    statements.sort(key=lambda s: (s.run.date, s.run.pk), reverse=True)
    months = {}
    for statement in statements:
        total = months.setdefault(
            month_start(statement.run.date), MonthTotal(month_start(statement.run.date))
        )
        total.gross += statement.gross
        total.runs += 1
    for payout in made:
        month = payout.month or month_start(payout.run.date if payout.run else payout.paid_at)
        months.setdefault(month, MonthTotal(month)).paid += payout.net
    return HouseholdAccount(
        runs=statements,
        months=sorted(months.values(), key=lambda m: m.month, reverse=True),
        payouts=made,
    )
