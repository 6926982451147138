"""What households promise for a run, what buyers bought, and who is credited for it.

Stock rule: for every product a team has supply commitments for, the team's Oscar stock
record holds ``num_in_stock = num_allocated + Σ over the team's open runs of
max(0, committed − sold)``. So what buyers can still order is exactly what households
promised for runs still taking orders. Placing or cancelling an order moves
``num_allocated`` and the sold quantity together, so the rule holds without a resync;
``sync_stock`` runs when commitments change and when a run closes or is cancelled.
Products with no commitment at all keep whatever stock the team typed in.

At cut-off ``share_out_run`` splits each product's sold quantity among the committing
households with ``allocation.share_out`` (priority households first, then pro rata) and
records one ``Allocation`` per household and product.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Prefetch, Sum
from django.utils import timezone
from oscar.core.loading import get_model

from catalogue.models import Household
from fulfilment import allocation, room
from fulfilment.models import (
    Allocation,
    DeliveryRun,
    RunBooking,
    RunLoad,
    SupplyCommitment,
)
from fulfilment.signals import supply_added
from shop.core import sql
from shop.order import status as order_status

Line = get_model("order", "Line")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")


def products_by_id(ids):
    return {p.pk: p for p in Product.objects.filter(pk__in=list(ids))} if ids else {}


def run_lines(run):
    """Order lines carried by ``run`` (cancelled orders left out)."""
    return Line.objects.filter(order__run_link__run=run).exclude(
        order__status=order_status.CANCELLED
    )


def sold_quantities(run):
    rows = run_lines(run).values("product_id").annotate(total=Sum("quantity"))
    return {row["product_id"]: row["total"] for row in rows if row["product_id"]}


# sold_by_run and remaining_by_run run on every checkout step that shows or places an
# order, so their SQL is written out: no queryset to build and compile each time.


def sold_by_run(run_ids):
    """``sold_quantities`` of several runs in one query, with each product's weight:
    ``({run_id: {product_id: quantity}}, {product_id: grams per unit})``.

    Read from ``RunLoad``: one row per product, however many orders the run has. The
    weight is looked up by key for each row (a subquery, not a join), so the planner
    cannot walk the whole product index, as a merge join did for the newest products
    while the statistics did not know their keys yet."""
    run_ids = list(run_ids)
    sold = {run_id: {} for run_id in run_ids}
    weights = {}
    if not run_ids:
        return sold, weights
    rows = sql.rows(
        f"SELECT l.run_id, l.product_id, l.quantity, "
        f"(SELECT p.{sql.column(Product, 'weight_per_unit_g')} FROM {sql.table(Product)} p "
        f"WHERE p.id = l.product_id) "
        f"FROM {sql.table(RunLoad)} l "
        f"WHERE l.run_id IN ({sql.in_list(run_ids)}) AND l.quantity > 0",
        run_ids,
    )
    for run_id, product_id, quantity, grams in rows:
        sold[run_id][product_id] = quantity
        weights[product_id] = grams
    return sold, weights


def count_run_loads(run_ids):
    """Count what ``run_ids``' orders hold again from their lines, with what orders being
    placed have booked (``RunBooking``): after a cancellation, a changed or removed line,
    or an order moved between runs. The runs' ``booked_kg``/``booked_crates`` follow.

    The runs' rows are locked first. Taking or giving back room holds a key-share lock on
    the row while it works (``runs.take_room``), so no booking is half-written while this
    counts, and none starts until it is done."""
    run_ids = sorted(run_id for run_id in set(run_ids) if run_id)
    if not run_ids:
        return
    lines = (
        Line.objects.filter(order__run_link__run_id__in=run_ids, product__isnull=False)
        .exclude(order__status=order_status.CANCELLED)
        .values_list("order__run_link__run_id", "product_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    booked = (
        RunBooking.objects.filter(run_id__in=run_ids)
        .values_list("run_id", "product_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    with transaction.atomic():
        list(DeliveryRun.objects.select_for_update().filter(pk__in=run_ids).values_list("pk"))
        held = {run_id: defaultdict(int) for run_id in run_ids}
        for run_id, product_id, total in lines.union(booked, all=True):  # one snapshot
            held[run_id][product_id] += total or 0
        RunLoad.objects.filter(run_id__in=run_ids).delete()
        RunLoad.objects.bulk_create(
            RunLoad(run_id=run_id, product_id=product_id, quantity=quantity)
            for run_id, quantities in held.items()
            for product_id, quantity in quantities.items()
            if quantity
        )
        product_ids = {pid for quantities in held.values() for pid in quantities}
        weights = dict(
            Product.objects.filter(pk__in=product_ids).values_list("pk", "weight_per_unit_g")
        )
        packing = room.crate_sizes(product_ids)
        for run_id, quantities in held.items():
            kg, crates = room.room_taken(quantities, weights, packing)
            DeliveryRun.objects.filter(pk=run_id).update(booked_kg=kg, booked_crates=crates)


def committed_quantities(run):
    rows = run.commitments.values("product_id").annotate(total=Sum("quantity"))
    return {row["product_id"]: row["total"] for row in rows}


def remaining_for_run(run, product_ids):
    """What is left to sell on ``run`` per product; products nobody committed for any run of
    the team are left out (their stock record alone limits them)."""
    return remaining_by_run([run], product_ids)[run.pk]


def committed_by_run(run_ids, product_ids):
    """What households promised for each run of ``run_ids`` per product, in one query:
    ``{run_id: {product_id: quantity}}``, listing only the products the run's team has a
    commitment for on any of its runs (so a product without one on this run has 0);
    products nobody committed for are left out (their stock record alone limits them)."""
    run_ids, product_ids = sorted(set(run_ids)), list(product_ids)
    committed = {run_id: {} for run_id in run_ids}
    if not run_ids or not product_ids:
        return committed
    runs_table = sql.table(DeliveryRun)
    rows = sql.rows(
        f"SELECT q.id, c.product_id, SUM(CASE WHEN c.run_id = q.id THEN c.quantity ELSE 0 END) "
        f"FROM {runs_table} q JOIN {runs_table} r ON r.team_id = q.team_id "
        f"JOIN {sql.table(SupplyCommitment)} c ON c.run_id = r.id "
        f"WHERE q.id IN ({sql.in_list(run_ids)}) AND c.product_id IN ({sql.in_list(product_ids)}) "
        f"GROUP BY q.id, c.product_id",
        run_ids + product_ids,
    )
    for run_id, product_id, quantity in rows:
        committed[run_id][product_id] = quantity or 0
    return committed


def remaining_by_run(runs, product_ids, sold=None):
    """``remaining_for_run`` of several runs in one query (two without ``sold``, the
    ``sold_by_run`` quantities when the caller has them): what households promised
    (``committed_by_run``) less what the run's orders hold."""
    committed = committed_by_run([run.pk for run in runs], product_ids)
    if not any(committed.values()):
        return {run_id: {} for run_id in committed}
    if sold is None:
        sold = sold_by_run(list(committed))[0]
    return {
        run_id: {pid: max(0, promised - sold[run_id].get(pid, 0)) for pid, promised in by.items()}
        for run_id, by in committed.items()
    }


def governed_pairs(team_ids, product_ids):
    """The (team id, product id) pairs whose stock the rule above sets, so a typed-in
    level would be overwritten at the next ``sync_stock``: the team has a commitment for
    the product on any of its runs."""
    return set(
        SupplyCommitment.objects.filter(run__team_id__in=list(team_ids), product_id__in=product_ids)
        .values_list("run__team_id", "product_id")
        .distinct()
    )


def sync_stock(team, product_ids=None):
    """Apply the stock rule above to ``team``'s stock records."""
    governed = SupplyCommitment.objects.filter(run__team=team)
    if product_ids is not None:
        governed = governed.filter(product_id__in=product_ids)
    governed = set(governed.values_list("product_id", flat=True))
    if not governed:
        return
    left = defaultdict(int)
    for run in DeliveryRun.objects.filter(
        team=team, status=DeliveryRun.Status.OPEN, cutoff__gt=timezone.now()
    ):
        committed = committed_quantities(run)
        sold = sold_quantities(run)
        for pid in governed:
            left[pid] += max(0, committed.get(pid, 0) - sold.get(pid, 0))
    for record in StockRecord.objects.filter(partner=team, product_id__in=governed):
        wanted = (record.num_allocated or 0) + left[record.product_id]
        if record.num_in_stock != wanted:
            record.num_in_stock = wanted
            record.save(update_fields=["num_in_stock"])


def commitment_sheet(run):
    """What the run's supply page lists, per household of the team: each product it is
    linked to or has promised for this run, with the promised quantity (0 when none).
    ``[(household, [(product, quantity)])]``, households with nothing left out."""

    promised = {
        (c.household_id, c.product_id): c.quantity
        for c in run.commitments.only("household_id", "product_id", "quantity")
    }
    sold_here = Product.objects.filter(stockrecords__partner=run.team_id).distinct()
    households = (
        Household.objects.filter(team=run.team_id)
        .select_related("village")
        .prefetch_related(Prefetch("products", queryset=sold_here.order_by("title")))
    )
    committed_products = products_by_id({pid for _hid, pid in promised})
    sheet = []
    for household in households:
        linked = {p.pk: p for p in household.products.all()}
        for (hid, pid), _quantity in promised.items():
            if hid == household.pk:
                linked.setdefault(pid, committed_products[pid])
        items = [
            (product, promised.get((household.pk, product.pk), 0))
            for product in sorted(linked.values(), key=lambda p: p.title)
        ]
        if items:
            sheet.append((household, items))
    return sheet


@transaction.atomic
def set_commitment(run, household, product, quantity):
    """Create, change or (with 0) remove a household's promise, then resync stock."""
    if quantity:
        SupplyCommitment.objects.update_or_create(
            run=run, household=household, product=product, defaults={"quantity": quantity}
        )
    else:
        SupplyCommitment.objects.filter(run=run, household=household, product=product).delete()
    sync_stock(run.team, [product.pk])
    if quantity:
        # buyers waiting for it hear of the new supply (shop.waitlist answers the signal)
        transaction.on_commit(lambda: supply_added.send(SupplyCommitment, product_ids=[product.pk]))


def unit_prices(run):
    """Average price paid per unit of each product on the run, to the fen."""
    rows = (
        run_lines(run)
        .values("product_id")
        .annotate(money=Sum("line_price_incl_tax"), units=Sum("quantity"))
    )
    return {
        row["product_id"]: (row["money"] / row["units"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for row in rows
        if row["units"]
    }


def share_out_run(run):
    """Record who is credited for the run's sales; return units sold beyond commitments."""
    Allocation.objects.filter(run=run).delete()
    sold = sold_quantities(run)
    prices = unit_prices(run)
    offers = defaultdict(list)
    for commitment in run.commitments.select_related("household"):
        offers[commitment.product_id].append(
            allocation.Offer(
                household_id=commitment.household_id,
                priority=commitment.household.status,
                quantity=Decimal(commitment.quantity),
            )
        )
    unassigned = 0
    rows = []
    for product_id, quantity in sold.items():
        product_offers = offers.get(product_id)
        if not product_offers:
            continue
        offered = sum(offer.quantity for offer in product_offers)
        shared = min(Decimal(quantity), offered)
        unassigned += quantity - int(shared)
        for household_id, units in allocation.share_out(shared, product_offers).items():
            if units:
                rows.append(
                    Allocation(
                        run=run,
                        household_id=household_id,
                        product_id=product_id,
                        quantity=int(units),
                        unit_price=prices.get(product_id, Decimal("0")),
                    )
                )
    Allocation.objects.bulk_create(rows)
    return unassigned
