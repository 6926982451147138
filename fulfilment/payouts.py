"""What each household earned: credited units × the price buyers paid, minus the stated fee.

Earnings come from ``Allocation`` rows (already reduced by shortfalls), per run or per
calendar month. ``settings.HOUSEHOLD_PAYOUT_FEE_PERCENT`` (default 0) is the share the
alliance keeps, rounded to the fen. A month's statement leaves out runs already paid one by
one, so nothing is paid twice. Marking as paid snapshots the figures in a ``Payout``.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from fulfilment.models import Allocation, DeliveryRun, Payout

CENT = Decimal("0.01")


def fee_percent():
    return Decimal(str(getattr(settings, "HOUSEHOLD_PAYOUT_FEE_PERCENT", 0) or 0))


@dataclass
class Statement:
    household: object
    run: object = None
    month: datetime.date = None
    lines: list = field(default_factory=list)  # (run, product, quantity, unit_price, amount)
    gross: Decimal = Decimal("0")
    fee: Decimal = Decimal("0")
    net: Decimal = Decimal("0")
    paid: object = None

    @property
    def period_key(self):
        return f"run-{self.run.pk}" if self.run else f"month-{self.month:%Y-%m}"


def _build(allocations, **period):
    statements = {}
    for row in allocations:
        statement = statements.get(row.household_id)
        if statement is None:
            statement = statements[row.household_id] = Statement(household=row.household, **period)
        amount = (row.unit_price * row.quantity).quantize(CENT)
        statement.lines.append((row.run, row.product, row.quantity, row.unit_price, amount))
        statement.gross += amount
    for statement in statements.values():
        statement.fee = (statement.gross * fee_percent() / 100).quantize(CENT, ROUND_HALF_UP)
        statement.net = statement.gross - statement.fee
    return sorted(statements.values(), key=lambda s: (s.household.public_name, s.household.pk))


def _allocations():
    return Allocation.objects.filter(quantity__gt=0).select_related(
        "household", "household__village", "product", "run"
    ).order_by("run__date", "product_id")


def for_run(run):
    statements = _build(_allocations().filter(run=run), run=run)
    paid = {p.household_id: p for p in Payout.objects.filter(run=run)}
    for statement in statements:
        statement.paid = paid.get(statement.household.pk)
    return statements


def month_start(value):
    return value.replace(day=1)


def for_month(team, month):
    month = month_start(month)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    runs_paid = defaultdict(set)
    for household_id, run_id in Payout.objects.filter(
        run__team=team, run__date__gte=month, run__date__lt=following
    ).values_list("household_id", "run_id"):
        runs_paid[household_id].add(run_id)
    allocations = [
        row for row in _allocations().filter(
            run__team=team, run__date__gte=month, run__date__lt=following
        ).exclude(run__status=DeliveryRun.Status.CANCELLED)
        if row.run_id not in runs_paid[row.household_id]
    ]
    statements = _build(allocations, month=month)
    paid = {p.household_id: p for p in Payout.objects.filter(household__team=team, month=month)}
    for statement in statements:
        statement.paid = paid.get(statement.household.pk)
    return statements


class AlreadyPaid(ValueError):
    pass


def mark_paid(statement, actor):
    try:
        with transaction.atomic():
            return Payout.objects.create(
                household=statement.household, run=statement.run, month=statement.month,
                gross=statement.gross, fee=statement.fee, net=statement.net,
                paid_by=actor if actor and actor.is_authenticated else None,
            )
    except IntegrityError as error:
        raise AlreadyPaid(statement.period_key) from error
