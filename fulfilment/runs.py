"""A delivery run's life: open → closed → collecting → delivering → done, or cancelled.

Every change goes through ``change_status``, which refuses illegal moves, runs what the
new state needs (share the sales out at closing, tell buyers the car is on its way) and
logs a ``RunEvent``. Runs past their cut-off are closed by ``close_due_runs``, called
when the team's run pages are looked at, by checkout at most every ``CLOSE_CHECK_SECONDS``,
by the Celery beat job and by ``manage.py close_due_runs``. Checkout never offers a run
past its cut-off, closed or not.
"""

import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfilment import supply
from fulfilment.choice import RunChoice  # noqa: F401  runs.RunChoice, as callers know it
from fulfilment.models import (
    Allocation,
    CratePacking,
    DeliveryRun,
    OrderRun,
    RunBooking,
    RunEvent,
    RunLoad,
    RunPickup,
    SupplyCommitment,
)
from fulfilment.room import crate_sizes, room_taken
from fulfilment.signals import run_moved, run_stepped_back
from shop.core import sql
from shop.core.sql import refusal, run_statement_or_refuse
from shop.figures import running
from shop.speed import bump_counter, counter, page_cache, request_cache

Status = DeliveryRun.Status

TRANSITIONS = {
    Status.OPEN: {Status.CLOSED, Status.CANCELLED},
    Status.CLOSED: {Status.COLLECTING, Status.CANCELLED},
    Status.COLLECTING: {Status.DELIVERING},
    Status.DELIVERING: {Status.DONE},
    Status.DONE: set(),
    Status.CANCELLED: set(),
}


class IllegalTransition(ValueError):
    """The run cannot move to that state from where it is."""


def allowed_next(run):
    return [status for status in Status if status in TRANSITIONS[run.status]]


def change_status(run, to_status, actor=None, note=""):
    """Move ``run`` to ``to_status`` and log it; raise ``IllegalTransition`` otherwise.
    Its orders follow through the ``run_moved`` signal, inside the same transaction
    (``shop.order.life`` answers: closed, collecting, on its way, cancelled)."""

    with transaction.atomic():
        locked = DeliveryRun.objects.select_for_update().get(pk=run.pk)
        if to_status not in TRANSITIONS[locked.status]:
            raise IllegalTransition(
                _("配送批次不能从“%(from)s”改为“%(to)s”。")
                % {"from": Status(locked.status).label, "to": Status(to_status).label}
            )
        waiting = households_waiting(locked) if to_status == Status.DELIVERING else 0
        if waiting:
            raise IllegalTransition(
                _("还有 %(n)s 户没收货：收完货，或在司机页点“不等了，出发”。") % {"n": waiting}
            )
        from_status = locked.status
        locked.status = to_status
        locked.save(update_fields=["status"])
        if to_status == Status.CLOSED:
            unassigned = supply.share_out_run(locked)
            if unassigned:
                note = (
                    note
                    + " "
                    + _("另有 %(n)s 件超出农户承诺，未记到农户名下。") % {"n": unassigned}
                ).strip()
        run_moved.send(DeliveryRun, run=locked, to_status=to_status, actor=actor)
        if to_status in (Status.CLOSED, Status.CANCELLED):
            supply.sync_stock(locked.team)
        if to_status == Status.DONE:
            running.runs_changed([locked.pk])  # its credits count from now on
        event = _log_move(locked, from_status, to_status, actor, note)
    run.status = to_status
    return event


def _log_move(run, from_status, to_status, actor, note):
    return RunEvent.objects.create(
        run=run,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note,
    )


def households_waiting(run):
    """How many households still have goods to collect for ``run``: the car is on its way
    only when none has, or when the driver set off without them (``driver.set_off``)."""
    return (
        Allocation.objects.filter(run=run, quantity__gt=0, collected_at__isnull=True)
        .values("household_id")
        .distinct()
        .count()
    )


# Steps back that only an undo of the driver's last tap takes (``fulfilment.driver.undo``).
STEPS_BACK = {
    Status.COLLECTING: {Status.CLOSED},
    Status.DELIVERING: {Status.COLLECTING, Status.CLOSED},
    Status.DONE: {Status.DELIVERING},
}


def step_back(run, to_status, actor=None, note=""):
    """Move ``run`` back to ``to_status`` because the tap that moved it was undone; its
    orders follow (the ``run_stepped_back`` signal, answered by ``shop.order.life``: the
    order side sits above the runs and is told, not called) and a ``RunEvent`` logs it."""
    with transaction.atomic():
        locked = DeliveryRun.objects.select_for_update().get(pk=run.pk)
        if to_status not in STEPS_BACK.get(locked.status, ()):
            raise IllegalTransition(
                _("配送批次不能从“%(from)s”退回“%(to)s”。")
                % {"from": Status(locked.status).label, "to": Status(to_status).label}
            )
        from_status = locked.status
        locked.status = to_status
        locked.save(update_fields=["status"])
        run_stepped_back.send(DeliveryRun, run=locked, to_status=to_status, actor=actor)
        if from_status == Status.DONE:
            running.runs_changed([locked.pk])  # its credits no longer count
        event = _log_move(locked, from_status, to_status, actor, note)
    run.status = to_status
    return event


def close_due_runs(now=None):
    """Close every open run whose cut-off has passed; return how many were closed."""
    now = now or timezone.now()
    closed = 0
    for run in DeliveryRun.objects.filter(status=Status.OPEN, cutoff__lte=now):
        try:
            change_status(run, Status.CLOSED, note=_("截单时间已到，自动截单"))
            closed += 1
        except IllegalTransition:
            continue  # someone else closed or cancelled it meanwhile
    return closed


def open_runs(team_ids=None):
    """Runs that still take orders, earliest first (runs past their cut-off are left out,
    whether or not ``close_due_runs`` has closed them yet)."""
    runs = DeliveryRun.objects.filter(status=Status.OPEN, cutoff__gt=timezone.now())
    if team_ids is not None:
        runs = runs.filter(team_id__in=team_ids)
    return runs.select_related("team").prefetch_related(
        Prefetch("stops", queryset=RunPickup.objects.select_related("point")), "zones"
    )


# Checkout reads the open runs with their stops and zones on every step; a sale fair
# has thousands of buyers and a handful of runs, so they come from the shared cache.
# Any save or delete of a run, stop, point, zone or team starts a new generation
# (fulfilment/receivers.py); a run past its cut-off is dropped when read. The list of a
# generation never changes, so each process also keeps the lists it read (for as long as
# the shared cache keeps them), and asks only for the generation, with the other values
# every request reads (``shop.speed.request_cache``).
RUNS_GENERATION_KEY = "runs:generation"
OPEN_RUNS_TTL = 10 * 60
CLOSE_CHECK_KEY = "runs:close-due-checked"
CLOSE_CHECK_SECONDS = 30
_read_here = request_cache.LocalCopies()
_next_close_check = [0.0]  # this process asks the shared cache at most every CLOSE_CHECK_SECONDS


@request_cache.keeps_local_state
def _forget_close_check():
    _next_close_check[0] = 0.0


@request_cache.read_with_every_request
def _generation_keys():
    return [RUNS_GENERATION_KEY]


def bump_runs_generation(**_ignored):
    bump_counter(RUNS_GENERATION_KEY)


def _close_due_runs_now_and_then():
    now = time.monotonic()
    if now < _next_close_check[0]:
        return
    _next_close_check[0] = now + CLOSE_CHECK_SECONDS
    if cache.add(CLOSE_CHECK_KEY, 1, timeout=CLOSE_CHECK_SECONDS):
        close_due_runs()  # closing saves the run, which starts a new generation


def open_runs_for_checkout(team_ids):
    """``open_runs(team_ids)`` as a list, from this process or the shared cache when
    nothing changed.

    Due runs are closed at most every ``CLOSE_CHECK_SECONDS`` from here; a run whose
    cut-off has passed is left out either way."""
    _close_due_runs_now_and_then()
    page_cache.depends_on(*(page_cache.runs_tag(pk) for pk in team_ids))
    teams = ",".join(str(pk) for pk in sorted(team_ids))
    key = f"runs:open:{counter(RUNS_GENERATION_KEY)}:{teams}"
    found = _read_here.get_or_read(key, lambda: list(open_runs(team_ids)), OPEN_RUNS_TTL)
    now = timezone.now()
    return [run for run in found if run.status == Status.OPEN and run.cutoff > now]


# --- load and capacity -----------------------------------------------------------


def load_of(quantities, products):
    """(kg, crates) for ``{product_id: quantity}``; ``products`` maps id → Product."""
    weights = {pid: product.weight_per_unit_g for pid, product in products.items()}
    return room_taken(quantities, weights, crate_sizes(quantities))


def basket_quantities(basket):
    quantities, products = {}, {}
    for line in basket.all_lines():
        quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
        products[line.product_id] = line.product
    return quantities, products


def basket_problems(run, basket):
    """Why ``basket`` cannot go on ``run``, as sentences for the buyer; empty when it fits."""
    return problems_by_run([run], basket)[run.pk]


def remember_problems(basket):
    """Keep ``problems_by_run`` answers on this basket object from now on.

    Checkout asks the same question several times in one request (its pre-conditions,
    the shipping method choice, the order total); the checkout views call this at the
    start of each request, whose basket object lives only as long as the request."""
    basket._run_problems = {}


def problems_by_run(runs, basket, fresh=False):
    """``basket_problems`` for several runs with three queries, whatever their number.

    Answers are remembered per run and basket lines when ``remember_problems`` was called
    for ``basket``; ``fresh`` reads the database again, for the reasons given when placing
    the order could not take the room (``take_room``).
    """
    wanted, products = basket_quantities(basket)
    lines_key = tuple((line.pk, line.product_id, line.quantity) for line in basket.all_lines())
    memo = getattr(basket, "_run_problems", None)
    if memo is None or fresh:
        memo = {}
    result, todo = {}, []
    for run in runs:
        key = (run.pk, run.status, run.cutoff, lines_key)
        if not run.is_open_for_orders:
            result[run.pk] = [_("%(run)s 已截单，不能再选。") % {"run": run}]
        elif key in memo:
            result[run.pk] = memo[key]
        else:
            todo.append(run)
    if not todo:
        return result
    sold, weights = supply.sold_by_run([run.pk for run in todo])
    weights.update({pid: product.weight_per_unit_g for pid, product in products.items()})
    packing = crate_sizes(set(wanted).union(*sold.values()))
    remaining = supply.remaining_by_run(todo, list(wanted), sold=sold)
    for run in todo:
        problems = _run_problems(
            run, wanted, products, sold[run.pk], weights, packing, remaining[run.pk]
        )
        result[run.pk] = memo[(run.pk, run.status, run.cutoff, lines_key)] = problems
    return result


def _run_problems(run, wanted, products, sold, weights, packing, remaining):
    problems = []
    kg_now, crates_now = room_taken(sold, weights, packing)
    total = dict(sold)
    for product_id, quantity in wanted.items():
        total[product_id] = total.get(product_id, 0) + quantity
    kg_after, crates_after = room_taken(total, weights, packing)
    if kg_after > run.capacity_kg:
        left = max(Decimal("0"), run.capacity_kg - kg_now)
        problems.append(
            _("%(run)s 的车只能再装约 %(left)s 公斤，您的订单约 %(need)s 公斤。")
            % {
                "run": run,
                "left": left.quantize(Decimal("0.1")),
                "need": (kg_after - kg_now).quantize(Decimal("0.1")),
            }
        )
    if run.capacity_crates and crates_after > run.capacity_crates:
        problems.append(
            _("%(run)s 的蛋箱/禽笼只剩 %(left)s 个，您的订单需要 %(need)s 个。")
            % {
                "run": run,
                "left": max(0, run.capacity_crates - crates_now),
                "need": crates_after - crates_now,
            }
        )
    for product_id, quantity in wanted.items():
        left = remaining.get(product_id)
        if left is not None and quantity > left:
            problems.append(
                _("%(run)s 的“%(product)s”只剩 %(left)s，您要了 %(want)s。")
                % {
                    "run": run,
                    "product": products[product_id].get_title(),
                    "left": left,
                    "want": quantity,
                }
            )
    return problems


# --- the buyer's choice of run and stop ------------------------------------------


def delivery_problems(choice, basket):
    """Checkout's check before the order is submitted: is the chosen run (a ``RunChoice``,
    or None for a method that is no run's) still open, and does the basket still fit?
    Returns sentences for the buyer; empty when all is well. Placing the order checks
    again, taking the room for good (``shop.order.placement``)."""
    if choice is None:
        return []
    close_due_runs()
    run = DeliveryRun.objects.filter(pk=choice.run_id).first()
    if run is None or not run.is_open_for_orders:
        return [run_closed_message()]
    return problems_by_run([run], basket)[run.pk]


def run_closed_message():
    return _("您选的配送批次已截单，请另选一个批次。")


def run_full_message():
    return _("这个批次已不能选（可能已截单或装满），请换一个。")


# --- taking room on a run -----------------------------------------------------------
# An order takes its room before the order is written (``shop.order.placement``): each
# product's ``RunLoad`` row grows only where the households' supply allows, then the run's
# ``booked_kg``/``booked_crates`` grow only while the run is open and the car has room.
# On PostgreSQL all of it is ONE statement, a transaction of its own: the rows it locks
# are free when it ends, never held across a round trip to the application (which, with
# more buyers than cores, may wait for a core while others wait for its locks). No lock
# is kept while the order is written.


class NoRoom(Exception):
    """The run cannot take the basket; ``messages`` says why, in the buyer's language."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


class _Refused(Exception):
    """Rolls the room-taking transaction back."""


@dataclass(frozen=True)
class Booking:
    """Room taken on a run for an order being placed (``RunBooking`` rows under ``key``).
    ``kg`` and ``crates`` are the order's own load, kept on its ``OrderRun``. The run's
    booked kilograms grew by ``kg``; its crates by what the products' loads needed more
    (crates are rounded up per product over the whole run)."""

    key: uuid.UUID
    choice: RunChoice
    quantities: dict
    kg: Decimal
    crates: int


def _held_run(run_id):
    """The run's row as a CTE, with a key-share lock on PostgreSQL: bookings and orders
    never wait for each other on it, while ``supply.count_run_loads`` and
    ``change_status`` (which lock the row for update) wait until a booking is written, and
    the other way round. Each statement that changes a run's loads starts with it."""
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    return f"WITH held AS (SELECT id FROM {sql.table(DeliveryRun)} WHERE id = %s{lock}) ", [run_id]


def _hold_run_row(run_id):
    if connection.vendor == "postgresql":
        held, params = _held_run(run_id)
        sql.execute(f"{held}SELECT id FROM held", params)


def _add_to_loads(run_id, wanted, committed):
    """Add ``wanted`` ({product_id: units}) to the run's loads in one statement, each only
    if it stays within what households committed (``committed``; products missing there
    have no limit). Returns {product_id: (new load, units per crate or None)} for the
    products added."""
    table = sql.table(RunLoad)
    products = sorted(wanted)  # every booking locks the loads in the same order
    held, params = _held_run(run_id)
    params += [value for pid in products for value in (pid, wanted[pid], committed.get(pid, -1))]
    limits = [pid for pid in products if pid in committed]
    within = ""
    if limits:
        cases = " ".join(["WHEN %s THEN %s"] * len(limits))
        within = (
            f" WHERE {table}.quantity + excluded.quantity <= "
            f"CASE excluded.product_id {cases} ELSE {table}.quantity + excluded.quantity END"
        )
        params += [value for pid in limits for value in (pid, committed[pid])]
    values = ", ".join(["(%s, %s, %s)"] * len(products))
    rows = sql.rows(
        f"{held}INSERT INTO {table} (run_id, product_id, quantity) "
        f"SELECT held.id, v.column1, v.column2 FROM held, (VALUES {values}) AS v "
        f"WHERE v.column3 < 0 OR v.column2 <= v.column3 ORDER BY v.column1 "
        f"ON CONFLICT (run_id, product_id) DO UPDATE "
        f"SET quantity = {table}.quantity + excluded.quantity{within} "
        f"RETURNING product_id, quantity, (SELECT p.units_per_crate FROM "
        f"{sql.table(CratePacking)} p WHERE p.product_id = {table}.product_id)",
        params,
    )
    return {product_id: (load, per_crate) for product_id, load, per_crate in rows}


def _crates(loads, packing):
    return room_taken(loads, {}, packing)[1]


def take_room(choice, basket, now=None):
    """Take room on ``choice``'s run for ``basket``; return the ``Booking`` or raise
    ``NoRoom`` with the buyer's reasons (the sentences ``basket_problems`` gives), with
    nothing taken."""
    wanted, products = basket_quantities(basket)
    weights = {pid: product.weight_per_unit_g for pid, product in products.items()}
    kg = room_taken(wanted, weights, {})[0]
    key = uuid.uuid4()
    for _attempt in range(3):
        try:
            if connection.vendor == "postgresql":
                crates = _take_in_one_statement(choice.run_id, key, wanted, kg, now)
            else:
                crates = _take(choice.run_id, key, wanted, kg, now)
        except _Refused:
            problems = _why_refused(choice, basket)
            if problems:
                raise NoRoom(problems) from None
            continue  # room came free meanwhile: try again
        return Booking(key, choice, dict(wanted), kg, crates)
    raise NoRoom([run_full_message()])


# PostgreSQL cannot be told to fail from plain SQL, but a cast can: the statement below
# ends with this cast when anything was short, so everything it changed is undone.
def _take_in_one_statement(run_id, key, wanted, kg, now):
    """PostgreSQL: take the room in ONE statement and return the crates it added.

    The run's row is held with a key-share lock (see ``_held_run``); each product's load
    grows only within what households committed for this run (a product that a team has
    commitments for on none of its runs has no limit); the run's booked room grows only
    when every load did, the run is open and the car has room; the booking rows are
    written with it. Concurrent bookings wait for each other's loads and run row only
    while this statement runs."""
    products = sorted(wanted)  # every booking locks the loads in the same order
    held, params = _held_run(run_id)
    params += [value for pid in products for value in (pid, wanted[pid])]
    now = now or timezone.now()
    loads = sql.table(RunLoad)
    deliveryrun = sql.table(DeliveryRun)
    params += [kg, len(products), Status.OPEN, now, kg, key, now]
    values = ", ".join(["(%s::integer, %s::integer)"] * len(products))
    rows = run_statement_or_refuse(
        f"{held}, wanted (product_id, quantity) AS (VALUES {values}), "
        f"limits AS (SELECT w.product_id, w.quantity, "
        f"(SELECT SUM(CASE WHEN c.run_id = q.id THEN c.quantity ELSE 0 END) "
        f"FROM {sql.table(SupplyCommitment)} c JOIN {deliveryrun} r ON r.id = c.run_id "
        f"WHERE r.team_id = q.team_id AND c.product_id = w.product_id) AS committed "
        f"FROM held JOIN {deliveryrun} q ON q.id = held.id, wanted w), "
        f"loads AS (INSERT INTO {loads} AS l (run_id, product_id, quantity) "
        f"SELECT held.id, m.product_id, m.quantity FROM held, limits m "
        f"WHERE m.committed IS NULL OR m.quantity <= m.committed ORDER BY m.product_id "
        f"ON CONFLICT (run_id, product_id) DO UPDATE SET quantity = l.quantity + excluded.quantity "
        f"WHERE l.quantity + excluded.quantity <= COALESCE((SELECT m.committed FROM limits m "
        f"WHERE m.product_id = excluded.product_id), l.quantity + excluded.quantity) "
        f"RETURNING l.product_id, l.quantity), "
        f"grown AS (SELECT COALESCE(SUM(CEIL(l.quantity::numeric / p.units_per_crate) "
        f"- CEIL((l.quantity - w.quantity)::numeric / p.units_per_crate)), 0)::integer AS crates "
        f"FROM loads l JOIN wanted w ON w.product_id = l.product_id "
        f"JOIN {sql.table(CratePacking)} p ON p.product_id = l.product_id "
        f"WHERE p.units_per_crate > 0), "
        f"room AS (UPDATE {deliveryrun} d "
        f"SET booked_kg = d.booked_kg + %s, booked_crates = d.booked_crates + g.crates "
        f"FROM grown g WHERE d.id = (SELECT id FROM held) "
        f"AND (SELECT count(*) FROM loads) = %s AND d.status = %s AND d.cutoff > %s "
        f"AND d.booked_kg + %s <= d.capacity_kg "
        f"AND (d.capacity_crates = 0 OR d.booked_crates + g.crates <= d.capacity_crates) "
        f"RETURNING g.crates), "
        f"booked AS (INSERT INTO {sql.table(RunBooking)} (key, run_id, product_id, quantity, created) "
        f"SELECT %s, room_run.id, w.product_id, w.quantity, %s FROM wanted w, "
        f"(SELECT id FROM held WHERE EXISTS (SELECT 1 FROM room)) room_run) "
        f"SELECT (SELECT crates FROM room), {refusal('EXISTS (SELECT 1 FROM room)')} FROM "
        f"(SELECT 1) one",
        params,
        _Refused,
    )
    return rows[0][0]


def _take(run_id, key, wanted, kg, now):
    """Take the room in one short transaction (other databases than PostgreSQL); return
    the crates it added."""
    committed = supply.committed_by_run([run_id], wanted)[run_id]
    with transaction.atomic():
        found = _add_to_loads(run_id, wanted, committed)
        if len(found) != len(wanted):
            raise _Refused  # short of supply, or no such run
        packing = {pid: per_crate for pid, (_load, per_crate) in found.items() if per_crate}
        after = {pid: load for pid, (load, _per_crate) in found.items()}
        before = {pid: load - wanted[pid] for pid, load in after.items()}
        crates = _crates(after, packing) - _crates(before, packing)
        RunBooking.objects.bulk_create(
            RunBooking(key=key, run_id=run_id, product_id=pid, quantity=quantity)
            for pid, quantity in wanted.items()
        )
        # Last, so the run's row is held for the shortest time.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {sql.table(DeliveryRun)} "
                f"SET booked_kg = booked_kg + %s, booked_crates = booked_crates + %s "
                f"WHERE id = %s AND status = %s AND cutoff > %s "
                f"AND booked_kg + %s <= capacity_kg "
                f"AND (capacity_crates = 0 OR booked_crates + %s <= capacity_crates)",
                [kg, crates, run_id, Status.OPEN, now or timezone.now(), kg, crates],
            )
            if cursor.rowcount != 1:
                raise _Refused
    return crates


def _why_refused(choice, basket):
    run = DeliveryRun.objects.filter(pk=choice.run_id).first()
    if run is None or not run.is_open_for_orders:
        return [run_closed_message()]
    return problems_by_run([run], basket, fresh=True)[run.pk]


def give_back_room(booking):
    """Return the room ``booking`` took (the order was not placed after all): loads and
    booked room shrink by what it added, never below zero."""
    run_id = booking.choice.run_id
    table = sql.table(RunLoad)
    packing = crate_sizes(booking.quantities)
    with transaction.atomic():
        _hold_run_row(run_id)
        before, after = {}, {}
        for product_id, quantity in sorted(booking.quantities.items()):
            found = sql.rows(
                f"UPDATE {table} SET quantity = CASE WHEN quantity > %s THEN quantity - %s "
                f"ELSE 0 END WHERE run_id = %s AND product_id = %s RETURNING quantity",
                [quantity, quantity, run_id, product_id],
            )
            if found:
                after[product_id] = found[0][0]
                before[product_id] = found[0][0] + quantity
        crates = _crates(before, packing) - _crates(after, packing)
        _forget_booking(booking)
        sql.execute(
            f"UPDATE {sql.table(DeliveryRun)} "
            f"SET booked_kg = CASE WHEN booked_kg > %s THEN booked_kg - %s ELSE 0 END, "
            f"booked_crates = CASE WHEN booked_crates > %s THEN booked_crates - %s ELSE 0 END "
            f"WHERE id = %s",
            [booking.kg, booking.kg, crates, crates, run_id],
        )


def link_order(order, booking, along=()):
    """Tie the order just written to its run, stop or zone, in the order's transaction:
    the room its booking took is now the order's.

    ``along`` holds further ``(sql, params)`` changes that belong to the same moment
    (``shop.partner.reservations.attach_statement``: the stock held becomes the order's).
    On PostgreSQL the link, the booking's removal and these go in one statement (each a
    data-modifying ``WITH`` part, all run to completion): one round trip instead of one
    each."""
    link = OrderRun(
        order=order,
        run_id=booking.choice.run_id,
        pickup_id=booking.choice.pickup_id,
        zone_id=booking.choice.zone_id,
        weight_kg=booking.kg,
        crates=booking.crates,
    )
    if connection.vendor != "postgresql":
        link.save()
        _forget_booking(booking)
        for statement, params in along:
            sql.execute(statement, params)
        return link
    key = RunBooking._meta.get_field("key").get_db_prep_value(booking.key, connection)
    parts = [f"gone AS (DELETE FROM {sql.table(RunBooking)} WHERE key = %s)"]
    params = [key]
    for number, (statement, statement_params) in enumerate(along):
        parts.append(f"along{number} AS ({statement})")
        params += statement_params
    params += [order.pk, link.run_id, link.pickup_id, link.zone_id, link.weight_kg, link.crates]
    link.pk = sql.rows(
        f"WITH {', '.join(parts)} INSERT INTO {sql.table(OrderRun)} "
        f"(order_id, run_id, pickup_id, zone_id, weight_kg, crates) "
        f"VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
        params,
    )[0][0]
    link._state.adding = False
    link._state.db = connection.alias
    link.tracker.set_saved_fields()  # as a row read back (``fulfilment.receivers``)
    return link


def booking_kept(booking):
    """The room ``booking`` took now belongs to an order already on the run (the buyer
    changed it, ``shop.order.life.changed_by_buyer``): the booking's rows go, the loads
    stay."""
    _forget_booking(booking)


def _forget_booking(booking):
    """Delete the booking's rows in one statement: ``QuerySet.delete`` would read them
    first (a receiver listens to every model's deletes), and nothing refers to them."""
    key = RunBooking._meta.get_field("key").get_db_prep_value(booking.key, connection)
    sql.execute(f"DELETE FROM {sql.table(RunBooking)} WHERE key = %s", [key])


def next_runs_for(products):
    """``{product pk: the earliest open run of a team selling it}`` for product cards.

    One read of the open runs (``open_runs_for_checkout``, cached per generation), so a
    story with ten cards costs what one costs.
    """
    teams = {p.pk: {sr.partner_id for sr in p.stockrecords.all()} for p in products}
    team_ids = set().union(*teams.values()) if teams else set()
    if not team_ids:
        return {}
    first = {}
    for run in sorted(open_runs_for_checkout(team_ids), key=lambda r: r.cutoff):
        first.setdefault(run.team_id, run)
    out = {}
    for pk, ids in teams.items():
        runs = [first[t] for t in ids if t in first]
        if runs:
            out[pk] = min(runs, key=lambda r: r.cutoff)
    return out
