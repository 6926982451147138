"""The figures funders and teams ask for, read from the running figures.

One rule makes every table add up: the lines counted are the goods handed over, and a
line's *net* amount is what the buyer pays for it in the end, less what shortfalls cut
and the team refunded (``shop.order.money.counted_lines``, which the impact page reads
too). Every breakdown (per product, village, run,
month, team, pickup point) groups the same lines, so each table's total equals
the sum of the lines. Per household, the money is what was credited to each
household at the run's cut-off (``fulfilment.Allocation``, already reduced by
shortfalls) plus one "not yet credited to a household" row, so that table too
adds up to the same total.

The sums come from ``shop.figures`` (cells per day, team and breakdown that every order
event keeps in step), so a report page reads a few small sums instead of the order lines;
``lines()`` still gives the lines themselves, and ``manage.py rebuild_figures --check``
compares the two.

``SalesReport(team_ids=None)`` covers every team (coordinator); a list of ids
limits everything to those teams' lines (team member).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal as D

from django.db.models import DecimalField, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from catalogue.models import Household, Village
from fulfilment.models import DeliveryRun, PickupPoint
from shop.figures import running
from shop.figures.models import Cell
from shop.order import money

Line = get_model("order", "Line")
Order = get_model("order", "Order")

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = D("0.00")

REPORTS = {
    "product": gettext_lazy("按产品"),
    "household": gettext_lazy("按农户（收入）"),
    "village": gettext_lazy("按村"),
    "run": gettext_lazy("按配送批次"),
    "month": gettext_lazy("按月"),
    "pickup": gettext_lazy("自提点使用"),
    "buyers": gettext_lazy("回头客"),
    "team": gettext_lazy("工作队对比"),
}


@dataclass
class Row:
    key: object
    label: str
    quantity: int = 0
    amount: D = ZERO
    orders: int = 0


class SalesReport:
    def __init__(self, team_ids=None, date_from=None, date_to=None):
        self.team_ids = team_ids
        self.date_from = date_from
        self.date_to = date_to

    # --- the lines every figure is built from ---------------------------------

    def _date_q(self, prefix):
        q = Q()
        tz = timezone.get_current_timezone()
        if self.date_from:
            start = datetime.datetime.combine(self.date_from, datetime.time.min, tz)
            q &= Q(**{f"{prefix}__gte": start})
        if self.date_to:
            end = datetime.datetime.combine(
                self.date_to + datetime.timedelta(days=1), datetime.time.min, tz
            )
            q &= Q(**{f"{prefix}__lt": end})
        return q

    def lines(self):
        """Counted lines (``shop.order.money.counted_lines``: goods handed over) annotated
        with ``net_amount`` and ``net_quantity``: what the running figures sum (for
        checks and exports that need the lines themselves; the report pages do not)."""
        lines = money.counted_lines().filter(self._date_q("order__date_placed"))
        if self.team_ids is not None:
            lines = lines.filter(partner_id__in=self.team_ids)
        return lines

    def cells(self, dim):
        """The running figures of ``dim`` for this report's teams and days."""
        cells = Cell.objects.filter(dim=dim, orders__gt=0)
        if self.team_ids is None:
            cells = cells.filter(team=running.ALL)
        else:
            cells = cells.filter(team__in=[pk for pk in self.team_ids if pk])
        if self.date_from:
            cells = cells.filter(day__gte=self.date_from)
        if self.date_to:
            cells = cells.filter(day__lte=self.date_to)
        return cells

    def _grouped(self, dim, *fields):
        """[{field..., amount, quantity, orders, label}] of ``dim``'s cells summed over the
        days (each order counts once per key: it was placed on one day)."""
        rows = (
            self.cells(dim)
            .values(*fields)
            .annotate(
                amount_fen=Sum("amount_fen"),
                quantity=Sum("quantity"),
                orders=Sum("orders"),
                label=Max("label"),
            )
            .order_by()
        )
        for row in rows:
            row["amount"] = running.yuan(row.pop("amount_fen"))
            yield row

    def total(self):
        if getattr(self, "_total", None) is None:
            self._total = self._sum_total()
        return self._total

    def _sum_total(self):
        rows = list(self._grouped(running.TOTAL))
        return Row(
            key="total",
            label=_("合计"),
            quantity=sum(r["quantity"] or 0 for r in rows),
            amount=sum((r["amount"] for r in rows), ZERO),
            orders=sum(r["orders"] or 0 for r in rows),
        )

    @staticmethod
    def _rows(raw, key, label):
        rows = [
            Row(
                key=r[key],
                label=label(r),
                quantity=r["quantity"] or 0,
                amount=r["amount"] or ZERO,
                orders=r["orders"],
            )
            for r in raw
        ]
        return sorted(rows, key=lambda row: (-row.amount, str(row.label)))

    # --- breakdowns ------------------------------------------------------------

    def by_product(self):
        raw = list(self._grouped(running.PRODUCT, "key"))
        for r in raw:
            r["key"] = r["key"] or None
        return self._rows(raw, "key", lambda r: r["label"])

    def by_village(self):
        raw = list(self._grouped(running.VILLAGE, "key"))
        names = dict(
            Village.objects.filter(pk__in=[r["key"] for r in raw if r["key"]]).values_list(
                "pk", "name"
            )
        )
        for r in raw:
            r["key"] = r["key"] or None
        return self._rows(raw, "key", lambda r: names.get(r["key"]) or _("未注明产地"))

    def by_team(self):
        raw = list(self._grouped(running.TEAM, "key"))
        for r in raw:
            r["key"] = r["key"] or None
        return self._rows(raw, "key", lambda r: r["label"] or _("未知工作队"))

    def by_month(self):
        raw = (
            self.cells(running.TOTAL)
            .annotate(month=TruncMonth("day"))
            .values("month")
            .annotate(amount_fen=Sum("amount_fen"), quantity=Sum("quantity"), orders=Sum("orders"))
            .order_by()
        )
        tz = timezone.get_current_timezone()
        rows = self._rows(
            [
                {
                    **r,
                    "amount": running.yuan(r["amount_fen"]),
                    # the first moment of the month, as the lines' month was
                    "month": datetime.datetime.combine(r["month"], datetime.time.min, tz),
                }
                for r in raw
            ],
            "month",
            lambda r: r["month"].strftime("%Y-%m") if r["month"] else "-",
        )
        return sorted(rows, key=lambda row: row.label)

    def by_run(self):
        raw = list(self._grouped(running.RUN_DIM, "key"))
        runs = {
            run.pk: run
            for run in DeliveryRun.objects.filter(pk__in=[r["key"] for r in raw if r["key"]])
        }

        def label(r):
            run = runs.get(r["key"])
            if run is None:
                return _("未排入批次")
            return f"{run.date:%Y-%m-%d} {run.departure_time:%H:%M}"

        for r in raw:
            r["key"] = r["key"] or None
        rows = self._rows(raw, "key", label)
        return sorted(rows, key=lambda row: row.label)

    def by_pickup(self):
        """Pickup points (and home delivery) by orders and sales."""
        raw = list(self._grouped(running.PICKUP, "key"))
        names = dict(
            PickupPoint.objects.filter(pk__in=[r["key"] for r in raw if r["key"] > 0]).values_list(
                "pk", "name"
            )
        )
        rows = []
        for r in raw:
            if r["key"] > 0:
                key, name = r["key"], names.get(r["key"], "")
            elif r["key"] == running.ZONE_KEY:
                key, name = "zone", _("送货上门")
            else:
                key, name = "none", _("未排入批次")
            rows.append(
                Row(
                    key=key,
                    label=name,
                    amount=r["amount"] or ZERO,
                    quantity=r["quantity"] or 0,
                    orders=r["orders"],
                )
            )
        return sorted(rows, key=lambda row: (-row.orders, str(row.label)))

    def by_household(self):
        """Income credited to each household, plus what is not credited to anyone yet."""
        total = self.total()
        # Credits of delivered runs only, as payouts (``fulfilment.payouts``) count them,
        # birds priced by weight by their real weight: kept running by run.
        raw = list(self._grouped(running.CREDIT, "key"))
        households = {
            h.pk: h
            for h in Household.objects.filter(pk__in=[r["key"] for r in raw]).select_related(
                "village"
            )
        }

        def label(r):
            household = households.get(r["key"])
            if household is None:
                return "-"
            village = household.village.name if household.village_id else None
            return f"{household.public_name}（{village}）"

        rows = self._rows(raw, "key", label)
        credited = sum((row.amount for row in rows), ZERO)
        credited_qty = sum(row.quantity for row in rows)
        rest = Row(
            key="uncredited",
            label=_("尚未记到农户"),
            amount=total.amount - credited,
            quantity=total.quantity - credited_qty,
        )
        if rest.amount or rest.quantity:
            rows.append(rest)
        return rows

    def _buyers(self):
        return [{**r, "buyer": r["text"] or None} for r in self._grouped(running.BUYER, "text")]

    def repeat_buyers(self):
        """Buyers (account, else e-mail) with two or more orders; ``amount`` is what they spent."""
        rows = [r for r in self._buyers() if r["orders"] >= 2 and r["buyer"]]
        return self._rows(rows, "buyer", lambda r: _mask_email(r["buyer"]))

    def buyer_summary(self):
        raw = self._buyers()
        buyers = len(raw)
        repeat = sum(1 for r in raw if r["orders"] >= 2)
        return {
            "buyers": buyers,
            "repeat": repeat,
            "share": (repeat * 100 // buyers) if buyers else 0,
        }

    def _all_as(self, label, total=None):
        total = total or self.total()
        return Row(
            key="all",
            label=label,
            quantity=total.quantity,
            amount=total.amount,
            orders=total.orders,
        )

    def rows(self, report):
        return {
            "product": self.by_product,
            "household": self.by_household,
            "village": self.by_village,
            "run": self.by_run,
            "month": self.by_month,
            "pickup": self.by_pickup,
            "buyers": self.repeat_buyers,
            "team": self.by_team,
        }[report]()


def _mask_email(email):
    """Buyers' addresses are personal: show ``bu***@example.cn``."""
    name, _at, domain = email.partition("@")
    return f"{name[:2]}***@{domain}" if domain else f"{email[:2]}***"
