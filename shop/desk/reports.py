"""The figures funders and teams ask for, computed from order lines.

One rule makes every table add up: the lines counted are the goods handed over, and a
line's *net* amount is what the buyer pays for it in the end, less what shortfalls cut
and the team refunded (``shop.order.money.counted_lines``, which the impact page reads
too). Every breakdown (per product, village, run,
month, team, pickup point) groups the same lines, so each table's total equals
the sum of the lines. Per household, the money is what was credited to each
household at the run's cut-off (``fulfilment.Allocation``, already reduced by
shortfalls) plus one "not yet credited to a household" row, so that table too
adds up to the same total.

``SalesReport(team_ids=None)`` covers every team (coordinator); a list of ids
limits everything to those teams' lines (team member).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal as D

from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from fulfilment.models import Allocation, DeliveryRun
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
        with ``net_amount`` and ``net_quantity``."""
        lines = money.counted_lines().filter(self._date_q("order__date_placed"))
        if self.team_ids is not None:
            lines = lines.filter(partner_id__in=self.team_ids)
        return lines

    def total(self):
        agg = self.lines().aggregate(
            amount=Sum("net_amount", output_field=MONEY),
            quantity=Sum("net_quantity"),
            orders=Count("order", distinct=True),
        )
        return Row(
            key="total",
            label=_("合计"),
            quantity=agg["quantity"] or 0,
            amount=agg["amount"] or ZERO,
            orders=agg["orders"] or 0,
        )

    def _grouped(self, key, *label_fields, queryset=None):
        queryset = self.lines() if queryset is None else queryset
        rows = (
            queryset.values(key, *label_fields)
            .annotate(
                amount=Sum("net_amount", output_field=MONEY),
                quantity=Sum("net_quantity"),
                orders=Count("order", distinct=True),
            )
            .order_by()
        )
        return list(rows)

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
        raw = self._grouped("product_id", "title")
        merged = {}
        for r in raw:  # one product can appear under two titles if it was renamed
            row = merged.setdefault(
                r["product_id"], {**r, "amount": ZERO, "quantity": 0, "orders": 0}
            )
            row["amount"] += r["amount"] or ZERO
            row["quantity"] += r["quantity"] or 0
            row["orders"] += r["orders"]
        return self._rows(merged.values(), "product_id", lambda r: r["title"])

    def by_village(self):
        raw = self._grouped("product__origin_village_id", "product__origin_village__name")
        return self._rows(
            raw,
            "product__origin_village_id",
            lambda r: r["product__origin_village__name"] or _("未注明产地"),
        )

    def by_team(self):
        raw = self._grouped("partner_id", "partner_name")
        merged = {}
        for r in raw:
            row = merged.setdefault(
                r["partner_id"], {**r, "amount": ZERO, "quantity": 0, "orders": 0}
            )
            row["amount"] += r["amount"] or ZERO
            row["quantity"] += r["quantity"] or 0
            row["orders"] += r["orders"]
        return self._rows(
            merged.values(), "partner_id", lambda r: r["partner_name"] or _("未知工作队")
        )

    def by_month(self):
        raw = self.lines().annotate(month=TruncMonth("order__date_placed"))
        raw = self._grouped("month", queryset=raw)
        rows = self._rows(
            raw, "month", lambda r: r["month"].strftime("%Y-%m") if r["month"] else "-"
        )
        return sorted(rows, key=lambda row: row.label)

    def by_run(self):
        raw = self._grouped(
            "order__run_link__run_id",
            "order__run_link__run__date",
            "order__run_link__run__departure_time",
        )

        def label(r):
            if not r["order__run_link__run_id"]:
                return _("未排入批次")
            return f"{r['order__run_link__run__date']:%Y-%m-%d} {r['order__run_link__run__departure_time']:%H:%M}"

        rows = self._rows(raw, "order__run_link__run_id", label)
        return sorted(rows, key=lambda row: row.label)

    def by_pickup(self):
        """Pickup points (and home delivery) by orders and sales."""
        raw = self._grouped(
            "order__run_link__pickup__point_id",
            "order__run_link__pickup__point__name",
            "order__run_link__zone_id",
        )
        merged = {}
        for r in raw:
            if r["order__run_link__pickup__point_id"]:
                key, name = (
                    r["order__run_link__pickup__point_id"],
                    r["order__run_link__pickup__point__name"],
                )
            elif r["order__run_link__zone_id"]:
                key, name = "zone", _("送货上门")
            else:
                key, name = "none", _("未排入批次")
            row = merged.setdefault(key, Row(key=key, label=name))
            row.amount += r["amount"] or ZERO
            row.quantity += r["quantity"] or 0
            row.orders += r["orders"]
        return sorted(merged.values(), key=lambda row: (-row.orders, str(row.label)))

    def by_household(self):
        """Income credited to each household, plus what is not credited to anyone yet."""
        total = self.total()
        # Credits of delivered runs only, as payouts (``fulfilment.payouts``) count them.
        allocations = Allocation.objects.filter(quantity__gt=0, run__status=DeliveryRun.Status.DONE)
        if self.team_ids is not None:
            allocations = allocations.filter(run__team_id__in=self.team_ids)
        if self.date_from:
            allocations = allocations.filter(run__date__gte=self.date_from)
        if self.date_to:
            allocations = allocations.filter(run__date__lte=self.date_to)
        raw = (
            allocations.values("household_id", "household__public_name", "household__village__name")
            .annotate(
                amount=Sum(F("unit_price") * F("quantity"), output_field=MONEY),
                quantity=Sum("quantity"),
                orders=Count("run", distinct=True),
                by_weight=Count("pk", filter=Q(product__price_per_jin__isnull=False)),
            )
            .order_by()
        )
        # Birds priced by weight are credited by their real weight, as payouts count them
        # (queried only when the period has any).
        raw = list(raw)
        by_weight = {}
        runs_by_weight = set()
        if any(r["by_weight"] for r in raw):
            runs_by_weight = set(
                allocations.filter(product__price_per_jin__isnull=False).values_list(
                    "run_id", flat=True
                )
            )
        for (_run, household_id, _product), extra in money.weight_credits_of_runs(
            runs_by_weight
        ).items():
            by_weight[household_id] = by_weight.get(household_id, ZERO) + extra
        for r in raw:
            r["amount"] = (r["amount"] or ZERO) + by_weight.get(r["household_id"], ZERO)
        rows = self._rows(
            raw,
            "household_id",
            lambda r: f"{r['household__public_name']}（{r['household__village__name']}）",
        )
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

    def repeat_buyers(self):
        """Buyers (account, else e-mail) with two or more orders; ``amount`` is what they spent."""
        lines = self.lines().annotate(
            buyer=Coalesce("order__user__email", "order__guest_email", output_field=None)
        )
        raw = self._grouped("buyer", queryset=lines)
        rows = [r for r in raw if r["orders"] >= 2 and r["buyer"]]
        return self._rows(rows, "buyer", lambda r: _mask_email(r["buyer"]))

    def buyer_summary(self):
        lines = self.lines().annotate(buyer=Coalesce("order__user__email", "order__guest_email"))
        raw = self._grouped("buyer", queryset=lines)
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
