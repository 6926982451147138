"""How far each institution is with its yearly consumption-aid target.

What counts is what the impact page counts: goods handed over, net of shortfall cuts and
refunds (``shop.order.money.counted_lines``), for orders placed under the institution in
the calendar year (Asia/Shanghai) of their placing. An order counts once it is handed
over and stops counting when it is cancelled or cut; fees are not aid and do not count.

The sums are read from the running figures (``shop.figures``, the ``institution`` cells
each order event keeps in step), so a page reading them makes the same queries however
many orders there are; ``rebuild_figures --check`` compares them with the order lines.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from shop.figures import running
from shop.figures.models import Cell
from shop.institutions.models import Institution

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


def done_by_institution(year):
    """{institution id: (goods handed over in yuan, orders)} for ``year``, in one query
    over the running cells (one per institution and day; each order touches its
    institution's cell of its day once, so the orders add up to distinct orders)."""
    rows = (
        Cell.objects.filter(dim=running.INSTITUTION, team=running.ALL, day__year=year, orders__gt=0)
        .values("key")
        .annotate(total=Sum("amount_fen"), orders=Sum("orders"))
        .values_list("key", "total", "orders")
        .order_by()
    )
    return {pk: (running.yuan(total), orders or 0) for pk, total, orders in rows}


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
