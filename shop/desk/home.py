"""What a team needs to see first thing: the next runs, orders to confirm, low stock, payouts due.

``team_home(team_ids)`` gathers it in a fixed, small number of queries; the
dashboard index shows it to team members (``shop.dashboard.views.IndexView``).
Delivery runs and payouts come from the ``fulfilment`` app and are left out
when it has no such models.
"""

from dataclasses import dataclass, field
from decimal import Decimal as D

from django.apps import apps
from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from oscar.core.loading import get_model

Line = get_model("order", "Line")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

LOW_STOCK_DEFAULT = 5
NEXT_RUNS = 4


def _model(name):
    try:
        return apps.get_model("fulfilment", name)
    except LookupError:
        return None


@dataclass
class RunCard:
    run: object
    load_kg: D
    orders: int

    @property
    def fill_percent(self):
        capacity = self.run.capacity_kg or 0
        if not capacity:
            return 0
        return min(100, int(self.load_kg * 100 / capacity))

    @property
    def is_today(self):
        return self.run.date == timezone.localdate()


@dataclass
class TeamHome:
    runs: list = field(default_factory=list)
    orders_to_confirm: list = field(default_factory=list)
    orders_to_confirm_count: int = 0
    low_stock: list = field(default_factory=list)
    payouts_waiting: int = 0
    has_runs: bool = False


def _runs(team_ids):
    DeliveryRun = _model("DeliveryRun")
    if DeliveryRun is None:
        return None
    runs = DeliveryRun.objects.filter(date__gte=timezone.localdate()).exclude(
        status__in=["done", "cancelled"]
    )
    if team_ids is not None:
        runs = runs.filter(team_id__in=team_ids)
    runs = list(runs.select_related("team").order_by("date", "departure_time")[:NEXT_RUNS])
    loads = {}
    OrderRun = _model("OrderRun")
    if runs and OrderRun is not None:
        for row in (
            OrderRun.objects.filter(run__in=runs)
            .values("run_id")
            .annotate(kg=Sum("weight_kg"), n=Count("pk"))
            .order_by()
        ):
            loads[row["run_id"]] = (row["kg"] or D("0"), row["n"] or 0)
    return [RunCard(run, *loads.get(run.pk, (D("0"), 0))) for run in runs]


def _payouts_waiting(team_ids):
    Allocation, Payout = _model("Allocation"), _model("Payout")
    if Allocation is None or Payout is None:
        return 0
    allocations = Allocation.objects.filter(quantity__gt=0, run__status="done")
    if team_ids is not None:
        allocations = allocations.filter(run__team_id__in=team_ids)
    owed = set(allocations.values_list("household_id", "run_id", "run__date").distinct())
    if not owed:
        return 0
    households = {h for h, _r, _d in owed}
    paid_runs = set(
        Payout.objects.filter(household_id__in=households, run__isnull=False).values_list(
            "household_id", "run_id"
        )
    )
    paid_months = set(
        Payout.objects.filter(household_id__in=households, month__isnull=False).values_list(
            "household_id", "month"
        )
    )
    waiting = {
        h
        for h, r, d in owed
        if (h, r) not in paid_runs and (h, d.replace(day=1)) not in paid_months
    }
    return len(waiting)


def team_home(team_ids):
    home = TeamHome()
    runs = _runs(team_ids)
    home.has_runs = runs is not None
    home.runs = runs or []

    lines = Line.objects.filter(status=settings.OSCAR_INITIAL_LINE_STATUS)
    if team_ids is not None:
        lines = lines.filter(partner_id__in=team_ids)
    to_confirm = Order.objects.filter(pk__in=lines.values("order_id")).order_by("date_placed")
    home.orders_to_confirm_count = to_confirm.count()
    home.orders_to_confirm = list(to_confirm.only("number", "date_placed", "status")[:5])

    stock = StockRecord.objects.annotate(
        available=F("num_in_stock") - Coalesce("num_allocated", 0)
    ).filter(
        Q(low_stock_threshold__isnull=False, available__lte=F("low_stock_threshold"))
        | Q(low_stock_threshold__isnull=True, available__lte=LOW_STOCK_DEFAULT),
        num_in_stock__isnull=False,
    )
    if team_ids is not None:
        stock = stock.filter(partner_id__in=team_ids)
    home.low_stock = list(stock.select_related("product").order_by("available")[:8])

    home.payouts_waiting = _payouts_waiting(team_ids)
    return home
