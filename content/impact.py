"""Live impact figures for funders: households reached, income credited to
households, orders delivered and kilograms carried, by team, village and month.

Figures count goods handed over, net of shortfall cuts and refunds, as
``shop.order.money.counted_lines`` gives them; they are read from the running figures
(``shop.figures``), which every order event keeps in step in its own transaction, and
which the team reports read too, so the two agree to the fen:

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

A report is built in a few queries over those small sums, whatever the number of
orders, and cached; ``receivers`` bump a version key when the running figures change
(after the commit) and on a team, village, household, payout or page change, which
retires every cached report at once; one worker rebuilds it while the others serve the
last one (``report``).
"""

import csv
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from shop.core import charts
from shop.core.exports import safe_row
from shop.figures import running
from shop.figures.models import Cell
from shop.institutions import figures
from shop.speed import page_cache

CACHE_SECONDS = 60 * 60
BUILD_LOCK_SECONDS = 30  # one worker builds a report at a time; a crashed one frees it
BUILD_WAIT_SECONDS = 2  # how long the others wait for the first report ever built
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
    """The impact report for one calendar year (or all time), cached. When the figures
    changed, one worker builds the new report (it holds ``impact:building:<year>``) while
    the others keep serving the last one built; with none built yet they wait a moment
    for it, then build it themselves."""
    key = f"impact:report:{_version()}:{year or 'all'}"
    result = cache.get(key)
    if result is not None:
        return result
    last_key = f"impact:report:last:{year or 'all'}"
    lock_key = f"impact:building:{year or 'all'}"
    if cache.add(lock_key, 1, BUILD_LOCK_SECONDS):
        try:
            result = build_report(year)
            cache.set_many({key: result, last_key: result}, CACHE_SECONDS)
        finally:
            cache.delete(lock_key)
        return result
    stale = cache.get(last_key)
    if stale is not None:
        return stale
    deadline = time.monotonic() + BUILD_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        result = cache.get(key)
        if result is not None:
            return result
    return build_report(year)


def totals(year=None):
    return report(year).totals


def years():
    """The years with figures, newest first (for the year links)."""
    key = f"impact:years:{_version()}"
    result = cache.get(key)
    if result is None:
        result = sorted(
            {
                day.year
                for day in Cell.objects.filter(dim=running.TOTAL, team=running.ALL).dates(
                    "day", "year"
                )
            },
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
    """The report from the running figures (``shop.figures``): a handful of queries over
    small sums, whatever the number of orders; ``manage.py rebuild_figures --check``
    compares them with the order lines."""
    Partner = apps.get_model("partner", "Partner")
    Village = apps.get_model("catalogue", "Village")

    cells = Cell.objects.filter(team=running.ALL)
    if year:
        cells = cells.filter(day__year=year)
    total = Row("all", "")
    teams, villages, months = {}, {}, {}
    sums = (
        cells.filter(dim__in=(running.TOTAL, running.TEAM, running.VILLAGE), orders__gt=0)
        .annotate(month=TruncMonth("day"))
        .values_list("dim", "key", "month")
        .annotate(
            orders=Sum("orders"), grams=Sum("grams"), income=Sum("income_fen"), label=Max("label")
        )
        .order_by()
    )
    team_names = dict(Partner.objects.values_list("pk", "name"))
    village_names = {}
    for dim, key, month, orders, grams, income, label in sums:
        if dim == running.TOTAL:
            month_key = _month_key(month)
            rows = (total, _row(months, month_key, month_key))
        elif dim == running.TEAM:
            if not key:
                continue
            rows = (_row(teams, key, team_names.get(key) or label),)
        else:
            if not key:
                continue
            village_names.setdefault(key, None)
            rows = (_row(villages, key, ""),)
        for row in rows:
            row.orders += orders or 0
            row.kilograms += Decimal(grams or 0) / 1000
            row.income += running.yuan(income)
    if village_names:
        for pk, name in Village.objects.filter(pk__in=village_names).values_list("pk", "name"):
            villages[str(pk)].name = name or ""
    suppliers = (
        Cell.objects.filter(dim=running.SUPPLIER, orders__gt=0)
        .filter(**({"day__year": year} if year else {}))
        .annotate(month=TruncMonth("day"))
        .values_list("team", "sub", "key", "month")
        .distinct()
        .order_by()
    )
    for team, village, household, month in suppliers:
        if team == running.ALL:
            total._households.add(household)
            _row(months, _month_key(month), _month_key(month))._households.add(household)
            if village and str(village) in villages:
                villages[str(village)]._households.add(household)
        elif str(team) in teams:
            teams[str(team)]._households.add(household)
    for row in [total, *teams.values(), *villages.values(), *months.values()]:
        row.kilograms = row.kilograms.quantize(Decimal("0.001"))
        row.households = len(row._households)
        row._households = set()
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


def _month_key(month):
    return f"{month:%Y-%m}"


def _row(rows, key, name):
    key = str(key)
    if key not in rows:
        rows[key] = Row(key, name or "")
    return rows[key]


def _add_payouts(result, year):
    """Money actually paid to households (``fulfilment.Payout.net``), by paid date."""
    cells = Cell.objects.filter(dim=running.PAID, orders__gt=0)
    if year:
        cells = cells.filter(day__year=year)
    result.has_payouts = True
    result.totals.paid = Decimal(0)
    for row in result.teams + result.villages:
        row.paid = Decimal(0)
    paid_households = set()
    for team, village_id, household_id, amount in (
        cells.values_list("team", "sub", "key").annotate(amount=Sum("amount_fen")).order_by()
    ):
        amount = running.yuan(amount)
        if team == running.ALL:
            result.totals.paid += amount
            paid_households.add(household_id)
            row = result.find("villages", village_id)
        else:
            row = result.find("teams", team)
        if row is not None:
            row.paid += amount
    result.households_paid = len(paid_households)


def _add_credits(result, year):
    """What delivered runs credited to households (``fulfilment.payouts.with_amounts``,
    kept running), and to how many (run date's year)."""
    cells = Cell.objects.filter(dim=running.CREDIT, team=running.ALL, orders__gt=0)
    if year:
        cells = cells.filter(day__year=year)
    figures = cells.aggregate(amount=Sum("amount_fen"), households=Count("key", distinct=True))
    result.households_credited = figures["households"] or 0
    result.credited = running.yuan(figures["amount"])


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
    """A horizontal bar chart of one metric as inline SVG (``shop.core.charts``)."""
    bars = []
    for row in rows:
        value = row.value(metric)
        if value:
            shown = f"{value:,.0f}" if metric in ("income", "kilograms") else f"{value:,}"
            bars.append((row.name[:9], row.name, value, shown))
    return charts.side_bar_chart(bars, title, width=width, bar_height=bar_height)
