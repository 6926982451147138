"""Placing the standing orders of a run just before its cut-off.

``place_due`` (the Celery beat task ``shop.standing.tasks.place_due_standing_orders``,
every minute) finds the open runs whose cut-off is less than
``schedule.PLACE_BEFORE_CUTOFF`` away and places each active standing order that falls on
them through the order-life module (``shop.order.placement.place_on_run``), exactly as
checkout places a buyer's basket: room in the car, the households' supply and the stock
are taken, Oscar's ``OrderCreator`` writes the order on the run's pickup stop, paid as the
buyer chose: on pickup, or online per order (``payment_method``: the order owes its
amount from placement, the buyer pays it online through ``shop.payment.pay_rest`` until
the run sets off, else in cash at hand-over). Where something is short the order is placed with what there is; where nothing
can be placed, nothing is. Either way the buyer is told (``notify``).

Running it twice never places twice: the standing order's row is locked, and the
``StandingRun`` row of (standing order, run), unique, is written in the order's
transaction.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override
from oscar.core.loading import get_class, get_model

from fulfilment import supply
from fulfilment.models import DeliveryRun
from shop.order.placement import Refused, place_on_run
from shop.payment.methods import PAY_ON_PICKUP, online_offered
from shop.payment.processing import record_payment_choice_on
from shop.shipping.methods import PickupOnRun
from shop.standing import notify, schedule
from shop.standing.models import StandingOrder, StandingRun

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Country = get_model("address", "Country")
ShippingAddress = get_model("order", "ShippingAddress")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Selector = get_class("partner.strategy", "Selector")

MAX_TRIES = 60  # each refusal takes one step off a line


def due_runs(now):
    return DeliveryRun.objects.filter(
        status=DeliveryRun.Status.OPEN,
        cutoff__gt=now,
        cutoff__lte=now + schedule.PLACE_BEFORE_CUTOFF,
    ).select_related("team")


def place_due(now=None):
    """Place every standing order due now; returns how many occurrences were decided."""
    now = now or timezone.now()
    decided = 0
    for run in due_runs(now):
        standing_orders = (
            StandingOrder.objects.filter(
                team_id=run.team_id,
                status=StandingOrder.Status.ACTIVE,
                point__run_stops__run=run,
            )
            .exclude(occurrences__run=run)
            .order_by("pk")
        )
        for standing in standing_orders:
            try:
                if place_one(standing, run, now) is not None:
                    decided += 1
            except Exception:  # one buyer's failure must not stop the others
                logger.exception(
                    "Standing order %s on run %s could not be placed", standing.pk, run.pk
                )
    return decided


def place_one(standing, run, now=None):
    """Decide ``standing``'s occurrence on ``run``: its ``StandingRun`` row, or None when
    there is nothing to do (not due, not on this run, paused, already decided)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            standing = StandingOrder.objects.select_for_update().get(pk=standing.pk)
            if standing.status != StandingOrder.Status.ACTIVE:
                return None
            occurrence = schedule.occurrence_on(standing, run, now)
            if occurrence is None or occurrence.row is not None or now < occurrence.deadline:
                return None
            row = _place(standing, occurrence.stop)
    except IntegrityError:  # another worker decided it meanwhile
        return None
    transaction.on_commit(lambda: notify.occurrence_decided(row), robust=True)
    return row


def _limits(standing, run, lines):
    """{product id: units that can be sold on ``run`` now}: the stock left and what the
    households promised for the run (whichever is less)."""
    strategy = Selector().strategy(user=standing.owner)
    remaining = supply.remaining_by_run([run], [line.product_id for line in lines])[run.pk]
    limits = {}
    for line in lines:
        info = strategy.fetch_for_product(line.product)
        if not line.product.is_public or info.stockrecord is None or not info.price.exists:
            limits[line.product_id] = 0
            continue
        left = line.quantity
        if not info.availability.is_available_to_buy:
            left = 0
        elif getattr(info.availability, "num_available", None) is not None:
            left = min(left, max(0, info.availability.num_available))
        if remaining.get(line.product_id) is not None:
            left = min(left, remaining[line.product_id])
        limits[line.product_id] = left
    return limits


def _step_down(quantity, product):
    step = product.order_step or 1
    return quantity // step * step


def _place(standing, stop):
    run = stop.run
    lines = list(standing.lines.select_related("product"))
    limits = _limits(standing, run, lines)
    wanted = {line.product_id: line.quantity for line in lines}
    products = {line.product_id: line.product for line in lines}
    quantities = {pid: _step_down(limits[pid], products[pid]) for pid in wanted}
    order = None
    for _attempt in range(MAX_TRIES):
        if not any(quantities.values()):
            break
        try:
            order = _place_basket(standing, stop, {p: q for p, q in quantities.items() if q})
            break
        except Refused:
            # The car is full or a promise ran out meanwhile: one step less of the heaviest line.
            pid = max(
                (p for p, q in quantities.items() if q),
                key=lambda p: (products[p].weight_per_unit_g or 0) * quantities[p],
            )
            quantities[pid] = max(0, quantities[pid] - (products[pid].order_step or 1))
    # What was short, as numbers: the pages and the e-mail word it in the reader's language
    # (``schedule.note_texts``).
    got = quantities if order is not None else dict.fromkeys(wanted, 0)
    notes = [
        {"product": pid, "wanted": wanted[pid], "got": got[pid]}
        for pid in wanted
        if got[pid] < wanted[pid]
    ]
    return StandingRun.objects.create(
        standing=standing,
        run=run,
        state=StandingRun.State.PLACED if order is not None else StandingRun.State.NOTHING,
        order=order,
        notes=notes,
    )


def payment_method(standing):
    """How the order placed for ``standing`` is paid: online only while online payment is
    offered (the checkout's rule); a shop that turned it off places it paid on pickup."""
    if standing.pays_online and online_offered():
        return standing.payment
    return PAY_ON_PICKUP


def _place_basket(standing, stop, quantities):
    """One order through ``place_on_run``, as checkout places one, paid as the buyer chose
    (``payment_method``)."""
    owner = standing.owner
    basket = Basket.objects.create()  # no owner: never merged into the buyer's own basket
    basket.strategy = Selector().strategy(user=owner)
    for line in standing.lines.select_related("product"):
        if quantities.get(line.product_id):
            basket.add_product(line.product, quantities[line.product_id])
    method = PickupOnRun(stop)
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)

    def create_order():
        address = ShippingAddress(
            first_name=standing.name,
            phone_number=standing.phone,
            country=Country.objects.get(iso_3166_1_a2="CN"),
        )
        address.save()
        with override(standing.language):
            order = OrderCreator().place_order(
                basket=basket,
                total=total,
                shipping_method=method,
                shipping_charge=charge,
                user=owner,
                shipping_address=address,
            )
        record_payment_choice_on(order, payment_method(standing), total)
        return order

    try:
        order = place_on_run(method.choice, basket, create_order)
    except BaseException:
        basket.delete()
        raise
    basket.submit()
    return order
