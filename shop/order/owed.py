"""Money owed back that no ``RefundOwed`` row claims yet: the one rule for every event that
writes such a row (a cancellation, a bird weighed lighter).

``money.of(order).refund_owed`` is what the order's payments exceed what it is worth, less
refunds already made or under way. A ``RefundOwed`` row still waiting for its refund (a
shortfall, a buyer's smaller order, a lighter bird) is part of that figure, so a later
event may only owe the rest; else the same yuan would be owed twice and the second refund
refused ("最多还能退 ¥0")."""

from decimal import Decimal

from django.db.models import Sum

from fulfilment.models import RefundOwed
from shop.order import money


def waiting(order):
    """What open ``RefundOwed`` rows of ``order`` still wait for (no refund asked yet; a
    refund under way already counts in ``refund_owed``)."""
    rows = RefundOwed.objects.filter(order=order, settled_at__isnull=True).exclude(
        refunds__state__in=money.ADJUSTING_STATES
    )
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def unclaimed(order):
    """Owed back on ``order`` beyond the rows already waiting; never below 0."""
    money.forget(order)
    return max(money.ZERO, money.of(order).refund_owed - waiting(order))
