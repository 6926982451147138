"""A delivery run's life: open → closed → collecting → delivering → done, or cancelled.

Every change goes through ``change_status``, which refuses illegal moves, runs what the
new state needs (share the sales out at closing, tell buyers the car is on its way) and
logs a ``RunEvent``. Runs past their cut-off are closed by ``close_due_runs``, called
when the team's run pages are looked at, by checkout at most every ``CLOSE_CHECK_SECONDS``,
by the Celery beat job and by ``manage.py close_due_runs``. Checkout never offers a run
past its cut-off, closed or not.
"""

import math
import re
import time
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfilment import sql
from fulfilment.models import CratePacking, DeliveryRun, RunEvent, RunPickup
from shop import request_cache
from shop.cache import bump_counter, counter

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
    """Move ``run`` to ``to_status`` and log it; raise ``IllegalTransition`` otherwise."""
    from fulfilment import supply
    from shop.order import life  # the order-life module imports this app's models

    with transaction.atomic():
        locked = DeliveryRun.objects.select_for_update().get(pk=run.pk)
        if to_status not in TRANSITIONS[locked.status]:
            raise IllegalTransition(
                _("配送批次不能从“%(from)s”改为“%(to)s”。")
                % {"from": Status(locked.status).label, "to": Status(to_status).label}
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
            life.run_closed(locked)
        elif to_status == Status.COLLECTING:
            life.run_collecting(locked)
        elif to_status == Status.DELIVERING:
            life.run_on_its_way(locked)
        elif to_status == Status.CANCELLED:
            life.run_cancelled(locked, _("配送批次取消"))
        if to_status in (Status.CLOSED, Status.CANCELLED):
            supply.sync_stock(locked.team)
        event = RunEvent.objects.create(
            run=locked,
            from_status=from_status,
            to_status=to_status,
            actor=actor if actor is not None and actor.is_authenticated else None,
            note=note,
        )
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
# every request reads (``shop.request_cache``).
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
    teams = ",".join(str(pk) for pk in sorted(team_ids))
    key = f"runs:open:{counter(RUNS_GENERATION_KEY)}:{teams}"
    found = _read_here.get_or_read(key, lambda: list(open_runs(team_ids)), OPEN_RUNS_TTL)
    now = timezone.now()
    return [run for run in found if run.status == Status.OPEN and run.cutoff > now]


# --- load and capacity -----------------------------------------------------------


def load_of(quantities, products):
    """(kg, crates) for ``{product_id: quantity}``; ``products`` maps id → Product."""
    weights = {pid: product.weight_per_unit_g for pid, product in products.items()}
    return _load(quantities, weights, crate_sizes(quantities))


def crate_sizes(product_ids):
    product_ids = list(product_ids)
    if not product_ids:
        return {}
    return dict(  # every checkout step asks: SQL written out (fulfilment.sql)
        sql.rows(
            f"SELECT product_id, units_per_crate FROM {sql.table(CratePacking)} "
            f"WHERE product_id IN ({sql.in_list(product_ids)})",
            product_ids,
        )
    )


def _load(quantities, weights, packing):
    kg = Decimal("0")
    crates = 0
    for product_id, quantity in quantities.items():
        if weights.get(product_id):
            kg += Decimal(weights[product_id]) * quantity / 1000
        if packing.get(product_id):
            crates += math.ceil(quantity / packing[product_id])
    return kg, crates


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
    for ``basket``; ``fresh`` reads the database again, for the check made with the run's
    row locked.
    """
    from fulfilment import supply

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
    kg_now, crates_now = _load(sold, weights, packing)
    total = dict(sold)
    for product_id, quantity in wanted.items():
        total[product_id] = total.get(product_id, 0) + quantity
    kg_after, crates_after = _load(total, weights, packing)
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


# --- shipping codes --------------------------------------------------------------

CODE_RE = re.compile(r"^run-(?P<run>\d+)-(?P<kind>pickup|zone)-(?P<target>\d+)$")


def parse_shipping_code(code):
    """``run-<run>-pickup-<RunPickup id>`` or ``run-<run>-zone-<zone id>`` → (run_id, kind,
    target_id), or None for any other code."""
    match = CODE_RE.match(code or "")
    if not match:
        return None
    return int(match["run"]), match["kind"], int(match["target"])


def delivery_problems(shipping_code, basket, lock=False):
    """Checkout's last check before an order is placed: is the chosen run still open, and
    does the basket still fit? Returns sentences for the buyer; empty when all is well.

    With ``lock`` the run's row is held until the caller's transaction ends, so two buyers
    placing orders at the same moment cannot both take the last room in the car; call it
    inside ``transaction.atomic()`` and place the order in the same transaction."""
    parsed = parse_shipping_code(shipping_code)
    if parsed is None:
        return []
    if not lock:
        close_due_runs()
    runs = DeliveryRun.objects.select_for_update() if lock else DeliveryRun.objects
    run = runs.filter(pk=parsed[0]).first()
    if run is None or not run.is_open_for_orders:
        return [_("您选的配送批次已截单，请另选一个批次。")]
    return problems_by_run([run], basket, fresh=lock)[run.pk]
