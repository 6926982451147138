"""How far each institution is with its yearly consumption-aid target.

What counts is what the impact page counts: goods handed over, net of shortfall cuts and
refunds (``shop.order.money.counted_lines``), for orders placed under the institution in
the calendar year (Asia/Shanghai) of their placing. An order counts once it is handed
over and stops counting when it is cancelled or cut; fees are not aid and do not count.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from shop.institutions.models import Institution
from shop.order import money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class YearProgress:
    institution: Institution
    year: int
    done: Decimal
    orders: int

    @property
    def target(self):
        return self.institution.yearly_target

    @property
    def percent(self):
        """Whole percent of the target reached (None without a target)."""
        if not self.target:
            return None
        return int(self.done * 100 / self.target)

    @property
    def bar_percent(self):
        return min(100, self.percent or 0)


def _year_bounds(year):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime(year, 1, 1), tz)
    return start, timezone.make_aware(datetime.datetime(year + 1, 1, 1), tz)


def done_by_institution(year):
    """{institution id: (goods handed over in yuan, orders)} for ``year``, in one query."""
    start, end = _year_bounds(year)
    rows = (
        money.counted_lines()
        .filter(
            order__institution_link__isnull=False,
            order__date_placed__gte=start,
            order__date_placed__lt=end,
        )
        .values("order__institution_link__institution")
        .annotate(total=Sum("net_amount"), orders=Count("order", distinct=True))
        .order_by()
    )
    return {
        row["order__institution_link__institution"]: (
            (row["total"] or ZERO).quantize(Decimal("0.01")),
            row["orders"],
        )
        for row in rows
    }


def this_year():
    return timezone.localdate().year


def progress(institution, year=None):
    year = year or this_year()
    done, orders = done_by_institution(year).get(institution.pk, (ZERO, 0))
    return YearProgress(institution, year, done, orders)


def all_progress(year=None):
    """Every institution's ``YearProgress`` for the coordinator's overview."""
    year = year or this_year()
    done = done_by_institution(year)
    return [
        YearProgress(institution, year, *done.get(institution.pk, (ZERO, 0)))
        for institution in Institution.objects.order_by("name")
    ]


def impact_figure(year=None):
    """The impact page's institution figure: how many institutions buy through the shop,
    and what their orders came to this year (the same sum as their progress)."""
    year = year or this_year()
    done = done_by_institution(year)
    return {
        "year": year,
        "institutions": Institution.objects.filter(is_active=True).count(),
        "total": sum((amount for amount, _orders in done.values()), ZERO),
    }
