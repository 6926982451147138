"""Live impact figures for funders: households reached, income credited to
households, orders delivered and kilograms carried, by team, village and month.

Figures count goods handed over, net of shortfall cuts and refunds, read through
``shop.order.money.counted_lines`` exactly as the team reports do, so the two agree to
the fen:

* income credited: the net amount of those lines, for products supplied by at least
  one household; credited to the team that sold the line, the product's origin village
  and the month the order was placed (Asia/Shanghai);
* households reached: distinct households supplying those lines' products;
* orders delivered: distinct orders handed over (``shop.order.status.DELIVERED``);
* kilograms carried: units handed over × the product's weight per unit.

Beside them, the money actually paid out to households (``fulfilment.Payout.net``) and to
how many households, and what delivered runs credited to named households
(``fulfilment.payouts.credited``: the allocations every order receipt, run statement and
household page adds up) and to how many, by the run's date.

A report is built in two queries and cached; ``receivers`` bump a version key on
any order, line, product-supplier or page change, which retires every cached
report at once.
"""

import csv
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from fulfilment import payouts as household_payouts
from fulfilment.models import Payout
from shop.exports import safe_row
from shop.order import money
from shop.speed import page_cache

CACHE_SECONDS = 60 * 60
VERSION_KEY = "impact:version"
FIGURES_TAG = "figures"  # the page cache's tag for pages showing these figures

METRICS = {
    "income": (_("农户增收"), _("元")),
    "households": (_("带动农户"), _("户")),
    "orders": (_("已送达订单"), _("单")),
    "kilograms": (_("运送农产品"), _("公斤")),
}


@dataclass
class Row:
    key: str
    name: str
    income: Decimal = Decimal("0.00")
    orders: int = 0
    kilograms: Decimal = Decimal("0.000")
    households: int = 0
    paid: Decimal | None = None
    _households: set = field(default_factory=set, repr=False)
    _orders: set = field(default_factory=set, repr=False)

    def value(self, metric):
        return getattr(self, metric)


@dataclass
class Report:
    year: int | None
    totals: Row
    teams: list
    villages: list
    months: list
    has_payouts: bool = False
    households_paid: int = 0  # households that received at least one payout
    households_credited: int = 0  # households credited for a delivered run
    credited: Decimal = Decimal("0.00")  # what delivered runs credited to households

    def find(self, dimension, key):
        for row in getattr(self, dimension):
            if row.key == str(key):
                return row
        return None


def _version():
    page_cache.depends_on(FIGURES_TAG)  # a cached page showing figures goes stale with them
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, None)
    return version


def invalidate():
    """Retire every cached report (called on order, line, supplier and page changes).

    Inside a transaction this happens when it commits, and once however many rows it
    changed (placing an order saves the order and each of its lines)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _retire_reports()
        return
    pending = connection.__dict__.get("_impact_pending")
    if pending is None or pending["done"]:
        pending = connection._impact_pending = {"done": False}
    transaction.on_commit(lambda: _retire_once(pending))


def _retire_once(pending):
    if not pending["done"]:
        pending["done"] = True
        _retire_reports()


def _retire_reports():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)
    page_cache.touched([FIGURES_TAG])


def parse_year(value):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


def report(year=None):
    """The impact report for one calendar year (or all time), cached."""
    key = f"impact:report:{_version()}:{year or 'all'}"
    result = cache.get(key)
    if result is None:
        result = build_report(year)
        cache.set(key, result, CACHE_SECONDS)
    return result


def totals(year=None):
    return report(year).totals


def years():
    key = f"impact:years:{_version()}"
    result = cache.get(key)
    if result is None:
        Order = apps.get_model("order", "Order")
        result = sorted(
            {d.year for d in Order.objects.datetimes("date_placed", "year")},
            reverse=True,
        )
        cache.set(key, result, CACHE_SECONDS)
    return result


def alliance():
    """How big the alliance is, for the home page's hero: ``{"teams", "villages",
    "households"}`` counted from the data (work teams, their villages, the households
    that supply the shop), cached like the reports and retired with them (``receivers``
    also bump the version when a team, village or household is added or removed)."""
    key = f"impact:alliance:{_version()}"
    result = cache.get(key)
    if result is None:
        Partner = apps.get_model("partner", "Partner")
        Village = apps.get_model("catalogue", "Village")
        Household = apps.get_model("catalogue", "Household")
        result = {
            "teams": Partner.objects.count(),
            "villages": Village.objects.count(),
            "households": Household.objects.count(),
        }
        cache.set(key, result, CACHE_SECONDS)
    return result


def institutions(year=None):
    """The institution buyers' figure: how many buy through the shop and what their
    orders handed over came to in ``year`` (this year when none is chosen), from the same
    counted lines as the report (``shop.institutions.figures``)."""
    from shop.institutions import figures

    return figures.impact_figure(year)


def live_figure(metric, team_id=None, village_id=None, year=None):
    """One number for a story's live-figure block: a village's, a team's or the alliance's."""
    if metric not in METRICS:
        metric = "income"
    data = report(parse_year(year))
    row = None
    if village_id:
        row = data.find("villages", village_id)
    elif team_id:
        row = data.find("teams", team_id)
    else:
        row = data.totals
    label, unit = METRICS[metric]
    return {
        "metric": metric,
        "value": row.value(metric) if row else 0,
        "label": label,
        "unit": unit,
    }


def build_report(year=None):
    Product = apps.get_model("catalogue", "Product")
    tz = timezone.get_current_timezone()

    lines = money.counted_lines()
    if year:
        start = datetime.datetime(year, 1, 1, tzinfo=tz)
        lines = lines.filter(
            order__date_placed__gte=start, order__date_placed__lt=start.replace(year=year + 1)
        )
    rows = lines.values_list(
        "order_id",
        "order__date_placed",
        "partner_id",
        "partner__name",
        "partner_name",
        "product_id",
        "product__origin_village_id",
        "product__origin_village__name",
        "product__weight_per_unit_g",
        "net_quantity",
        "net_amount",
    )
    suppliers = defaultdict(set)
    for product_id, household_id in Product.households.through.objects.values_list(
        "product_id", "household_id"
    ):
        suppliers[product_id].add(household_id)

    total = Row("all", "")
    teams, villages, months = {}, {}, {}
    for (
        order_id,
        placed,
        team_id,
        team_name,
        line_team_name,
        product_id,
        village_id,
        village_name,
        weight_g,
        quantity,
        price,
    ) in rows.iterator():
        month = timezone.localtime(placed, tz).strftime("%Y-%m")
        groups = [total, _row(months, month, month)]
        if team_id:
            groups.append(_row(teams, team_id, team_name or line_team_name))
        if village_id:
            groups.append(_row(villages, village_id, village_name))
        households = suppliers.get(product_id, set())
        kilograms = Decimal(weight_g * quantity) / 1000 if weight_g else Decimal(0)
        for row in groups:
            if households:
                row.income += Decimal(price or 0)
                row._households |= households
            row._orders.add(order_id)
            row.kilograms += kilograms
    for row in [total, *teams.values(), *villages.values(), *months.values()]:
        row.income = row.income.quantize(Decimal("0.01"))  # SQLite sums as bare numbers
        row.households, row.orders = len(row._households), len(row._orders)
        row._households, row._orders = set(), set()
    result = Report(
        year=year,
        totals=total,
        teams=sorted(teams.values(), key=lambda r: (-r.income, r.name)),
        villages=sorted(villages.values(), key=lambda r: (-r.income, r.name)),
        months=sorted(months.values(), key=lambda r: r.key),
    )
    _add_payouts(result, year)
    _add_credits(result, year)
    return result


def _row(rows, key, name):
    key = str(key)
    if key not in rows:
        rows[key] = Row(key, name or "")
    return rows[key]


def _add_payouts(result, year):
    """Money actually paid to households (``fulfilment.Payout.net``), by paid date."""
    payouts = Payout.objects.all()
    if year:
        payouts = payouts.filter(paid_at__year=year)
    result.has_payouts = True
    result.totals.paid = Decimal(0)
    for row in result.teams + result.villages:
        row.paid = Decimal(0)
    paid_households = set()
    for team_id, village_id, household_id, amount in payouts.values_list(
        "household__team_id", "household__village_id", "household_id", "net"
    ):
        amount = amount or Decimal(0)
        result.totals.paid += amount
        paid_households.add(household_id)
        for row in (result.find("teams", team_id), result.find("villages", village_id)):
            if row is not None:
                row.paid += amount
    result.households_paid = len(paid_households)


def _add_credits(result, year):
    """What delivered runs credited to households, and to how many (run date's year)."""
    credits = household_payouts.credited()
    if year:
        credits = credits.filter(run__date__year=year)
    households, amount = set(), Decimal(0)
    for row, credited in household_payouts.with_amounts(credits):
        households.add(row.household_id)
        amount += credited
    result.households_credited, result.credited = len(households), amount


# --- output ---------------------------------------------------------------------


def write_csv(data, out):
    """Every row of a report, one line per team, village and month, for a spreadsheet."""
    out.write("\ufeff")  # Excel opens UTF-8 Chinese correctly only with a BOM
    writer = csv.writer(out)
    header = [
        "分组",
        "编号",
        "名称",
        "带动农户（户）",
        "农户增收（元）",
        "已送达订单（单）",
        "运送农产品（公斤）",
    ]
    if data.has_payouts:
        header.append("已付农户（元）")
    writer.writerow(header)
    sections = [
        ("合计", [data.totals]),
        ("工作队", data.teams),
        ("村庄", data.villages),
        ("月份", data.months),
    ]
    for section, rows in sections:
        for row in rows:
            line = [
                section,
                row.key,
                row.name,
                row.households,
                f"{row.income:.2f}",
                row.orders,
                f"{row.kilograms:.3f}",
            ]
            if data.has_payouts:
                line.append(f"{row.paid:.2f}" if row.paid is not None else "")
            writer.writerow(safe_row(line))


def bar_chart_svg(rows, metric, title, width=360, bar_height=22):
    """A horizontal bar chart as inline SVG: no script, no external asset, prints well."""
    rows = [r for r in rows if r.value(metric)]
    if not rows:
        return ""
    peak = max(r.value(metric) for r in rows) or 1
    label_w, gap = 112, 6
    height = len(rows) * (bar_height + gap) + 8
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, row in enumerate(rows):
        y = 4 + i * (bar_height + gap)
        value = row.value(metric)
        bar = max(2, int((width - label_w - 70) * float(value) / float(peak)))
        shown = f"{value:,.0f}" if metric in ("income", "kilograms") else f"{value:,}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" '
            f'font-size="12">{escape(row.name[:9])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{bar}" height="{bar_height}" rx="3" '
            f'fill="#2f6b3a"><title>{escape(row.name)}: {shown}</title></rect>'
            f'<text x="{label_w + bar + 4}" y="{y + bar_height * 0.7:.1f}" font-size="12">'
            f"{shown}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
