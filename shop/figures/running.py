"""Keep the running figures (``shop.figures.models.Cell``) in step with the records.

Each thing that can change what a figure counts calls one of these in its own
transaction (``shop.order.life`` for order events, ``fulfilment.runs`` when a run is
done or steps back, ``fulfilment.payouts`` when a household is paid):

* ``orders_changed(ids)``: the goods those orders handed over, net of cuts and refunds,
  read through ``shop.order.money.counted_lines`` (the rule the reports always used), and
  the credits of their runs when those are done;
* ``runs_changed(ids)``: what delivered runs credited to households, through
  ``fulfilment.payouts.with_amounts`` (the payouts' own rule, real weights included);
* ``payouts_made(ids)``: what was paid out to households (``Payout.net``).

Each object's share of the cells is computed again from the records and compared with
the share it added last time (its ``Contribution``); only the difference is added to
the cells, as increments in one ``INSERT ... ON CONFLICT DO UPDATE`` statement. So an
event that repeats changes nothing, two events at once on different orders add up, and
the same order is followed one transaction after the other (its contribution row is
locked first). ``rebuild`` computes every share from scratch with the same functions:
``manage.py rebuild_figures --check`` compares, without ``--check`` it rewrites.

The catalogue's "most popular" figure (``Product.units_handed_over``) is the sum of a
product's all-team ``PRODUCT`` cells: each event adds the same difference to it
(``catalogue.sort_figures.add_units``), and ``rebuild`` and ``--check`` cover it too.
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.dispatch import Signal
from oscar.core.loading import get_model

from catalogue import sort_figures
from catalogue.models import Product
from fulfilment import payouts
from fulfilment.models import DeliveryRun, OrderRun, Payout
from shop.figures.models import Cell, Contribution
from shop.order import money, status

# Sent once a transaction that changed the cells has committed (``content`` retires the
# cached impact report on it).
changed = Signal()

CENT = Decimal("0.01")
ALL = 0  # the ``team`` of cells counting every team

ORDER, RUN, PAYOUT = "order", "run", "payout"

# What cells group by (``dim``):
TOTAL = "all"  # everything (per day)
TEAM = "team"  # key: the line's team (partner id, 0 unknown); label: its name on the line
VILLAGE = "village"  # key: the product's origin village (0 none)
PRODUCT = "product"  # key: product id; label: the line's title
RUN_DIM = "run"  # key: the order's run (0 none)
PICKUP = "pickup"  # key: pickup point id, -1 home delivery, 0 none
BUYER = "buyer"  # text: the buyer's e-mail (account, else guest)
SUPPLIER = "supplier"  # key: a household supplying the product; sub: the product's village
CREDIT = "credit"  # key: household credited by a delivered run (day: the run's date)
PAID = "paid"  # key: household paid (day: paid date); sub: its village
INSTITUTION = "institution"  # key: the institution the order was placed under (none: no cell)

ZONE_KEY = -1

# A share: {(day, team, dim, key, sub, text): [label, orders, quantity, grams, amount fen,
# income fen]}
VALUES = ("orders", "quantity", "grams", "amount_fen", "income_fen")


def tz():
    return ZoneInfo(settings.TIME_ZONE)


def fen(value):
    return int((Decimal(value or 0)).quantize(CENT) * 100)


def yuan(value_fen):
    return (Decimal(value_fen or 0) / 100).quantize(CENT)


def _add(share, key, label="", quantity=0, grams=0, amount=0, income=0):
    cell = share.get(key)
    if cell is None:
        cell = share[key] = [label, 1, 0, 0, 0, 0]
    elif label:
        cell[0] = label
    cell[2] += quantity
    cell[3] += grams
    cell[4] += amount
    cell[5] += income


# --- the shares, from the records ------------------------------------------------------


def order_shares(order_ids=None):
    """{order id: share} of the goods handed over, for ``order_ids`` (every order when
    None). Lines and their net amounts are ``money.counted_lines``'."""
    lines = money.counted_lines()
    if order_ids is not None:
        lines = lines.filter(order_id__in=order_ids)
    rows = list(
        lines.values_list(
            "order_id",
            "order__date_placed",
            "partner_id",
            "partner_name",
            "product_id",
            "title",
            "product__origin_village_id",
            "product__weight_per_unit_g",
            "order__run_link__run_id",
            "order__run_link__pickup__point_id",
            "order__run_link__zone_id",
            "order__user__email",
            "order__guest_email",
            "order__institution_link__institution_id",
            "net_quantity",
            "net_amount",
        ).order_by("order_id", "pk")
    )
    suppliers = defaultdict(list)
    product_ids = {row[4] for row in rows if row[4]}
    if product_ids:
        through = Product.households.through.objects.filter(product_id__in=product_ids)
        for product_id, household_id in through.values_list("product_id", "household_id"):
            suppliers[product_id].append(household_id)
    zone = tz()
    shares = defaultdict(dict)
    for (
        order_id,
        placed,
        team_id,
        team_name,
        product_id,
        title,
        village_id,
        weight_g,
        run_id,
        point_id,
        zone_id,
        user_email,
        guest_email,
        institution_id,
        quantity,
        net,
    ) in rows:
        share = shares[order_id]
        day = placed.astimezone(zone).date()
        households = suppliers.get(product_id, ())
        quantity = quantity or 0
        values = {
            "quantity": quantity,
            "grams": (weight_g or 0) * quantity,
            "amount": fen(net),
            "income": fen(net) if households else 0,
        }
        pickup = point_id or (ZONE_KEY if zone_id else 0)
        buyer = user_email if user_email is not None else guest_email
        teams = (ALL,) if team_id is None else (ALL, team_id)
        for team in teams:
            _add(share, (day, team, TOTAL, 0, 0, ""), **values)
            _add(share, (day, team, TEAM, team_id or 0, 0, ""), team_name or "", **values)
            _add(share, (day, team, VILLAGE, village_id or 0, 0, ""), **values)
            _add(share, (day, team, PRODUCT, product_id or 0, 0, ""), title or "", **values)
            _add(share, (day, team, RUN_DIM, run_id or 0, 0, ""), **values)
            _add(share, (day, team, PICKUP, pickup, 0, ""), **values)
            _add(share, (day, team, BUYER, 0, 0, buyer or ""), **values)
            if institution_id:
                _add(share, (day, team, INSTITUTION, institution_id, 0, ""), **values)
            for household_id in households:
                _add(share, (day, team, SUPPLIER, household_id, village_id or 0, ""))
    return shares


def run_shares(run_ids=None):
    """{run id: share} of what delivered runs credited to households
    (``fulfilment.payouts.with_amounts``), on the run's date."""
    allocations = payouts.credited()
    if run_ids is not None:
        allocations = allocations.filter(run_id__in=run_ids)
    shares = defaultdict(dict)
    for row, amount in payouts.with_amounts(allocations):
        for team in (ALL, row.run.team_id):
            _add(
                shares[row.run_id],
                (row.run.date, team, CREDIT, row.household_id, 0, ""),
                quantity=row.quantity,
                amount=fen(amount),
            )
    return shares


def payout_shares(payout_ids=None):
    """{payout id: share} of the money paid to households, on the paid date."""
    paid = Payout.objects.select_related("household")
    if payout_ids is not None:
        paid = paid.filter(pk__in=payout_ids)
    zone = tz()
    shares = defaultdict(dict)
    for payout in paid:
        household = payout.household
        day = payout.paid_at.astimezone(zone).date()
        for team in (ALL, household.team_id):
            _add(
                shares[payout.pk],
                (day, team, PAID, household.pk, household.village_id or 0, ""),
                amount=fen(payout.net),
            )
    return shares


SHARES = {ORDER: order_shares, RUN: run_shares, PAYOUT: payout_shares}


# --- following the records ----------------------------------------------------------------


def _encode(share):
    return [[key[0].isoformat(), *key[1:], *cell] for key, cell in sorted(share.items())]


def _decode(cells):
    return {(datetime.date.fromisoformat(row[0]), *row[1:6]): list(row[6:]) for row in cells or ()}


def _difference(old, new):
    """[(key, label, deltas)] that turn ``old`` into ``new``."""
    result = []
    for key in old.keys() | new.keys():
        before = old.get(key) or ["", 0, 0, 0, 0, 0]
        after = new.get(key) or ["", 0, 0, 0, 0, 0]
        deltas = [a - b for a, b in zip(after[1:], before[1:], strict=True)]
        if any(deltas) or (after[0] and after[0] != before[0]):
            result.append((key, after[0], deltas))
    return result


def _upsert(changes):
    """Add ``changes`` to the cells: each row's values are increments, applied by the
    database itself (``value = value + excluded.value``), so concurrent events add up."""
    if not changes:
        return
    table = connection.ops.quote_name(Cell._meta.db_table)
    q = connection.ops.quote_name
    key_columns = ["day", "team", "dim", "key", "sub", "text"]
    columns = [*key_columns, "label", *VALUES]
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in VALUES)
    label = (
        f"{q('label')} = CASE WHEN excluded.{q('label')} <> '' "
        f"THEN excluded.{q('label')} ELSE {table}.{q('label')} END"
    )
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(q(c) for c in key_columns)}) DO UPDATE SET {updates}, {label}"
    )
    # Always in the same order, so two transactions touching the same cells never wait on
    # each other in a circle.
    rows = [(*key, label, *deltas) for key, label, deltas in sorted(changes)]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    emptied = Q()
    for key, _label, _deltas in changes:
        emptied |= Q(day=key[0], team=key[1], dim=key[2], key=key[3], sub=key[4], text=key[5])
    Cell.objects.filter(emptied, orders__lte=0).delete()


def _follow(kind, ids):
    ids = sorted({int(pk) for pk in ids if pk is not None})
    if not ids:
        return False
    with transaction.atomic():
        # The contribution rows are the lock: one transaction after the other per object.
        Contribution.objects.bulk_create(
            [Contribution(kind=kind, object_id=pk) for pk in ids], ignore_conflicts=True
        )
        held = list(
            Contribution.objects.select_for_update()
            .filter(kind=kind, object_id__in=ids)
            .order_by("object_id")
        )
        shares = SHARES[kind](ids)
        changes, empty, rewrite = [], [], []
        for row in held:
            old = _decode(row.cells)
            new = shares.get(row.object_id, {})
            if not new:
                empty.append(row.pk)
            if old != new:
                changes.extend(_difference(old, new))
                if new:
                    row.cells = _encode(new)
                    rewrite.append(row)
        changes = _merge(changes)
        _upsert(changes)
        _products_follow(changes)
        if rewrite:
            Contribution.objects.bulk_update(rewrite, ["cells"])
        if empty:
            Contribution.objects.filter(pk__in=empty).delete()
        if changes:
            transaction.on_commit(lambda: changed.send(sender=Cell))
    return bool(changes)


def _products_follow(changes):
    """The catalogue's "most popular" figure (``Product.units_handed_over``) is the sum of
    a product's all-team cells: it takes the same difference, in the same transaction."""

    units = defaultdict(int)
    for key, _label, deltas in changes:
        if key[1] == ALL and key[2] == PRODUCT and key[3]:
            units[key[3]] += deltas[1]  # VALUES[1]: quantity
    sort_figures.add_units(units)


def product_units():
    """{product id: units handed over} summed from the kept cells."""
    rows = (
        Cell.objects.filter(dim=PRODUCT, team=ALL, orders__gt=0)
        .exclude(key=0)
        .values("key")
        .annotate(units=Sum("quantity"))
        .values_list("key", "units")
        .order_by()
    )
    return {pk: units for pk, units in rows if units}


def _merge(changes):
    merged = {}
    for key, label, deltas in changes:
        if key in merged:
            old_label, old = merged[key]
            merged[key] = (label or old_label, [a + b for a, b in zip(old, deltas, strict=True)])
        else:
            merged[key] = (label, deltas)
    return [(key, label, deltas) for key, (label, deltas) in merged.items()]


def orders_changed(order_ids):
    """Follow what ``order_ids`` count for (their runs' credits too, when done)."""
    order_ids = [pk for pk in order_ids if pk is not None]
    if not order_ids:
        return False
    with transaction.atomic():
        changed_orders = _follow(ORDER, order_ids)
        done_runs = OrderRun.objects.filter(
            order_id__in=order_ids, run__status=DeliveryRun.Status.DONE
        ).values_list("run_id", flat=True)
        changed_runs = _follow(RUN, list(done_runs))
    return changed_orders or changed_runs


def order_changed(order):
    return orders_changed([order.pk])


def runs_changed(run_ids):
    """A run was done (or stepped back from done): its credits count, or no longer."""
    return _follow(RUN, run_ids)


def payouts_made(payout_ids):
    return _follow(PAYOUT, payout_ids)


def product_changed(product_id):
    """A product's suppliers, village or weight changed: the delivered orders with its
    lines count again."""
    Line = get_model("order", "Line")
    ids = set(
        Line.objects.filter(product_id=product_id, order__status__in=status.DELIVERED).values_list(
            "order_id", flat=True
        )
    )
    return orders_changed(sorted(ids))


# --- from scratch -----------------------------------------------------------------------


def computed():
    """(cells, contributions) as the records give them now: {key: [label, values...]} and
    {(kind, id): share}."""
    cells, contributions = {}, {}
    for kind, shares in SHARES.items():
        for pk, share in shares().items():
            if not share:
                continue
            contributions[(kind, pk)] = share
            for key, values in share.items():
                cell = cells.get(key)
                if cell is None:
                    cells[key] = list(values)
                else:
                    if values[0]:
                        cell[0] = values[0]
                    for i in range(1, len(values)):
                        cell[i] += values[i]
    return cells, contributions


def stored():
    """{key: [label, values...]} of the cells as kept (empty cells left out)."""
    result = {}
    for row in Cell.objects.filter(orders__gt=0).values_list(
        "day", "team", "dim", "key", "sub", "text", "label", *VALUES
    ):
        result[tuple(row[:6])] = list(row[6:])
    return result


def differences():
    """[(key, kept values, computed values)] where the running cells and the records
    disagree (labels aside): empty when they agree."""
    cells, _contributions = computed()
    kept = stored()
    result = []
    for key in sorted(cells.keys() | kept.keys(), key=str):
        want = (cells.get(key) or ["", 0, 0, 0, 0, 0])[1:]
        have = (kept.get(key) or ["", 0, 0, 0, 0, 0])[1:]
        if want != have:
            result.append(
                (key, dict(zip(VALUES, have, strict=True)), dict(zip(VALUES, want, strict=True)))
            )
    return result


def product_differences():
    """[(product id, kept (units, lowest price), computed)] where the figures the
    catalogue sorts by (``catalogue.sort_figures``) disagree with the kept cells and the
    stock records; ``differences`` checks the cells themselves."""

    return sort_figures.differences(product_units())


def rebuild():
    """Rewrite every cell and contribution from the records, and the products' sort
    figures from them. Returns the number of cells."""
    with transaction.atomic():
        if connection.vendor == "postgresql":  # events wait until the rewrite is in
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Contribution._meta.db_table} IN EXCLUSIVE MODE")
        cells, contributions = computed()
        Cell.objects.all().delete()
        Contribution.objects.all().delete()
        Cell.objects.bulk_create(
            [
                Cell(
                    day=key[0],
                    team=key[1],
                    dim=key[2],
                    key=key[3],
                    sub=key[4],
                    text=key[5],
                    label=values[0],
                    **dict(zip(VALUES, values[1:], strict=True)),
                )
                for key, values in cells.items()
            ],
            batch_size=2000,
        )
        Contribution.objects.bulk_create(
            [
                Contribution(kind=kind, object_id=pk, cells=_encode(share))
                for (kind, pk), share in contributions.items()
            ],
            batch_size=2000,
        )

        sort_figures.rebuild(product_units())
        transaction.on_commit(lambda: changed.send(sender=Cell))
    return len(cells)
