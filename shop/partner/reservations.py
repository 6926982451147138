"""Stock held for a basket, so two buyers can never both get the last egg.

Oscar's ``StockRecord.allocate`` adds to ``num_allocated`` without looking at what is
left. ``reserve_basket`` instead takes each stock record with one conditional UPDATE
(``num_allocated += n WHERE num_in_stock - COALESCE(num_allocated, 0) >= n``), in stock
record order so concurrent buyers lock rows in the same order; when any line fails,
the whole transaction rolls back (nothing stays taken) and ``OutOfStock`` names every
short product. The checkout reserves when the order is placed, before any payment
starts; ``shop.order.utils.OrderCreator`` then turns the reservation into the order's
allocation instead of allocating a second time.

A pay-on-pickup order settles its reservation at once (``CONVERTED``). An online
payment keeps it ``HELD`` until Stripe confirms the payment. Held reservations run out
after ``STOCK_RESERVATION_MINUTES``: ``manage.py release_expired_reservations`` (run it
from cron every few minutes) and every new reservation ("release on access") hand
overdue ones to ``shop.payment.stripe_gateway.expire_order``, which cancels the unpaid
order and gives the stock back.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue import units
from shop.core import sql
from shop.core.sql import refusal, run_statement_or_refuse
from shop.speed import page_cache

StockRecord = get_model("partner", "StockRecord")
StockReservation = get_model("partner", "StockReservation")

HELD = StockReservation.State.HELD
CONVERTED = StockReservation.State.CONVERTED
RELEASED = StockReservation.State.RELEASED

# Sent by ``release_expired`` for an order whose reservation ran out, with ``order`` and
# ``now``; the payment side answers (``PaymentConfig.ready``), True when it cancelled it.
order_reservation_expired = Signal()


class OutOfStock(Exception):
    """Some lines of a basket cannot be had any more; ``messages`` says which, in Chinese."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("；".join(self.messages))


def _allocated():
    return Coalesce(F("num_allocated"), Value(0))


def basket_quantities(basket):
    """{stock record id: (units wanted, a basket line)} for the stock-tracked lines."""
    wanted = defaultdict(int)
    lines = {}
    for line in basket.all_lines():
        record = line.stockrecord
        if record is None or not line.product.get_product_class().track_stock:
            continue
        wanted[record.pk] += line.quantity
        lines[record.pk] = line
    return {pk: (wanted[pk], lines[pk]) for pk in wanted}


def take(stockrecord_id, quantity):
    """Add ``quantity`` to the allocation if that much is free; True when it was."""
    taken = _take(stockrecord_id, quantity)
    if taken:
        page_cache.note_allocation([stockrecord_id])
    return taken


def _take(stockrecord_id, quantity):
    return bool(
        StockRecord.objects.filter(
            pk=stockrecord_id, num_in_stock__gte=_allocated() + quantity
        ).update(num_allocated=_allocated() + quantity)
    )


def give_back(stockrecord_id, quantity):
    """Return ``quantity`` units to sale (never below zero allocated)."""
    StockRecord.objects.filter(pk=stockrecord_id, num_allocated__gte=quantity).update(
        num_allocated=F("num_allocated") - quantity
    )
    page_cache.note_allocation([stockrecord_id])


def shortage_message(line, stockrecord_id):
    record = (
        StockRecord.objects.filter(pk=stockrecord_id)
        .values("num_in_stock", "num_allocated")
        .first()
        or {}
    )
    left = max(0, (record.get("num_in_stock") or 0) - (record.get("num_allocated") or 0))
    product = line.product
    if left <= 0:
        return _("%(title)s已经卖完了，请从购物车中删除。") % {"title": product.get_title()}
    return _("%(title)s只剩 %(left)s了，请减少数量。") % {
        "title": product.get_title(),
        "left": units.amount(left, product),
    }


def reserve_basket(basket, now=None):
    """Hold every stock-tracked line of ``basket``; return the reservations or raise
    ``OutOfStock`` with nothing held."""
    now = now or timezone.now()
    wanted = basket_quantities(basket)
    expires_at = now + timedelta(minutes=settings.STOCK_RESERVATION_MINUTES)
    if not wanted:
        reservations = []
    elif connection.vendor == "postgresql":
        reservations = _reserve_in_one_statement(basket, wanted, now, expires_at)
    else:
        reservations = _reserve(basket, wanted, now, expires_at)
    # Pages showing only whether a product can be bought (its cards) go stale only for the
    # records this reservation sold out.
    sold_out = {r.stockrecord_id for r in reservations if r.free_after <= 0}
    page_cache.note_allocation(wanted, on_sale_changed=sold_out)
    # The order is written next, from this basket object: it need not read them back.
    basket._reserved_stockrecord_ids = {r.stockrecord_id for r in reservations}
    return reservations


def _reserve(basket, wanted, now, expires_at):
    with transaction.atomic():
        failed = [pk for pk in sorted(wanted) if not _take(pk, wanted[pk][0])]
        # Holds past their time are settled by the periodic task; when they stand in the
        # way of this basket, settle them now and try again.
        if failed and release_expired(now=now, stockrecord_ids=failed):
            failed = [pk for pk in failed if not _take(pk, wanted[pk][0])]
        if failed:
            # Raising inside the atomic block rolls back the lines already taken.
            messages = [shortage_message(wanted[pk][1], pk) for pk in failed]
            raise OutOfStock(messages)
        free = dict(
            StockRecord.objects.filter(pk__in=wanted).values_list(
                "pk", F("num_in_stock") - _allocated()
            )
        )
        reservations = StockReservation.objects.bulk_create(
            StockReservation(
                basket=basket,
                stockrecord_id=pk,
                quantity=quantity,
                expires_at=expires_at,
                created=now,
            )
            for pk, (quantity, _line) in sorted(wanted.items())
        )
        for reservation in reservations:
            reservation.free_after = free[reservation.stockrecord_id]
        return reservations


class _Short(Exception):
    """The one-statement reservation took nothing."""


def _reserve_in_one_statement(basket, wanted, now, expires_at):
    """PostgreSQL: take every stock record and write the reservations in ONE statement
    (``shop.core.sql.run_statement_or_refuse``): the records are locked in id order, each
    grows only if that much is free, and when one is short the statement fails and nothing
    is taken. Concurrent buyers of a product wait for each other only while it runs."""
    try:
        return _one_statement(basket, wanted, now, expires_at)
    except _Short:
        pass
    failed = _short_records(wanted)
    # Holds past their time are settled by the periodic task; when they stand in the way
    # of this basket, settle them now and try again.
    if failed and release_expired(now=now, stockrecord_ids=failed):
        try:
            return _one_statement(basket, wanted, now, expires_at)
        except _Short:
            failed = _short_records(wanted)
    raise OutOfStock([shortage_message(wanted[pk][1], pk) for pk in failed or sorted(wanted)])


def _short_records(wanted):
    free = {
        pk: in_stock - (allocated or 0)
        for pk, in_stock, allocated in StockRecord.objects.filter(pk__in=wanted).values_list(
            "pk", "num_in_stock", "num_allocated"
        )
    }
    return [pk for pk in sorted(wanted) if (free.get(pk) or 0) < wanted[pk][0]]


def _one_statement(basket, wanted, now, expires_at):

    records = sorted(wanted)
    values = ", ".join(["(%s::integer, %s::integer)"] * len(records))
    params = [value for pk in records for value in (pk, wanted[pk][0])]
    params += [len(records), basket.pk, HELD, now, expires_at]
    stock = sql.table(StockRecord)
    rows = run_statement_or_refuse(
        f"WITH wanted (id, quantity) AS (VALUES {values}), "
        f"locked AS (SELECT s.id FROM {stock} s WHERE s.id IN (SELECT id FROM wanted) "
        f"ORDER BY s.id FOR NO KEY UPDATE), "
        f"taken AS (UPDATE {stock} s SET num_allocated = COALESCE(s.num_allocated, 0) + w.quantity "
        f"FROM wanted w WHERE s.id = w.id AND s.id IN (SELECT id FROM locked) "
        f"AND s.num_in_stock >= COALESCE(s.num_allocated, 0) + w.quantity "
        f"RETURNING s.id, s.num_in_stock - s.num_allocated AS free), "
        f"ok AS (SELECT (SELECT count(*) FROM taken) = %s AS v), "
        f"held AS (INSERT INTO {sql.table(StockReservation)} (basket_id, stockrecord_id, "
        f"quantity, state, created, expires_at) "
        f"SELECT %s, w.id, w.quantity, %s, %s, %s FROM wanted w, ok WHERE ok.v ORDER BY w.id "
        f"RETURNING id, stockrecord_id, quantity) "
        f"SELECT held.id, held.stockrecord_id, held.quantity, taken.free, {refusal('ok.v')} "
        f"FROM ok LEFT JOIN held ON true LEFT JOIN taken ON taken.id = held.stockrecord_id",
        params,
        _Short,
    )
    reservations = []
    for pk, stockrecord_id, quantity, free, _ok in rows:
        reservation = StockReservation(
            pk=pk,
            basket=basket,
            stockrecord_id=stockrecord_id,
            quantity=quantity,
            state=HELD,
            expires_at=expires_at,
            created=now,
        )
        reservation._state.adding = False
        reservation.free_after = free  # what the record has left for sale after this hold
        reservations.append(reservation)
    return reservations


def reserved_stockrecord_ids(basket):
    """The stock records the basket's held reservation covers, asked once per order where
    Oscar would allocate each line: for these the reservation is the allocation. Known
    without a query when ``reserve_basket`` has just reserved this basket object."""
    known = getattr(basket, "_reserved_stockrecord_ids", None)
    if known is not None:
        return known
    return set(
        StockReservation.objects.filter(
            basket_id=basket.pk, state=HELD, order__isnull=True
        ).values_list("stockrecord_id", flat=True)
    )


def attach(reservations, order, sold=False, now=None):
    """The order is placed: its reservations now belong to it. With ``sold`` (nothing is
    left to pay online) they are converted at once, as ``convert`` would, in the same
    statement."""
    settled = {"state": CONVERTED, "settled_at": now or timezone.now()} if sold else {}
    StockReservation.objects.filter(
        pk__in=[r.pk for r in reservations], state=HELD, order__isnull=True
    ).update(order=order, **settled)


def attach_statement(reservations, order, sold=False, now=None):
    """``attach``'s UPDATE as ``(sql, params)``, for a caller that runs it together with
    its own statement (``fulfilment.runs.link_order``); None when there is nothing to
    attach."""
    if not reservations:
        return None
    table = sql.table(StockReservation)
    ids = [r.pk for r in reservations]
    params = [order.pk]
    settled = ""
    if sold:
        settled = ", state = %s, settled_at = %s"
        params += [CONVERTED, now or timezone.now()]
    params += [*ids, HELD]
    return (
        f"UPDATE {table} SET order_id = %s{settled} WHERE id IN ({sql.in_list(ids)}) "
        f"AND state = %s AND order_id IS NULL",
        params,
    )


def convert(order, now=None):
    """The order's stock is sold for good: its reservations stop expiring."""
    StockReservation.objects.filter(order=order, state=HELD).update(
        state=CONVERTED, settled_at=now or timezone.now()
    )


def release(reservations, now=None):
    """Give the stock of still-held ``reservations`` back; return how many were released."""
    now = now or timezone.now()
    released = 0
    with transaction.atomic():
        for reservation in reservations:
            # Only the caller that flips HELD → RELEASED gives the units back.
            if StockReservation.objects.filter(pk=reservation.pk, state=HELD).update(
                state=RELEASED, settled_at=now
            ):
                give_back(reservation.stockrecord_id, reservation.quantity)
                released += 1
    return released


def release_order_stock(order, now=None):
    """Give back everything ``order`` holds (it is being cancelled); safe to call twice.

    The order lines carry the allocation (Oscar's ``Line.cancel_allocation`` gives it back
    once and remembers it); held reservations are closed first so the expiry job never
    gives the same units back again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        StockReservation.objects.filter(order=order, state=HELD).update(
            state=RELEASED, settled_at=now
        )
        for line in order.lines.select_related("stockrecord__product__product_class"):
            if line.stockrecord_id and not line.allocation_cancelled and line.num_allocated:
                line.cancel_allocation(line.num_allocated)  # its post_save tells the page cache


def release_expired(now=None, stockrecord_ids=None):
    """Settle held reservations past their time; return how many orders or baskets it freed.

    A reservation tied to an order goes to the payment side, which asks Stripe first (the
    buyer may have paid at the last second) and cancels the order only when unpaid: it
    answers ``order_reservation_expired`` (stock sits below payments and does not import
    them), True when it cancelled the order.
    """

    now = now or timezone.now()
    overdue = StockReservation.objects.filter(state=HELD, expires_at__lt=now)
    if stockrecord_ids is not None:
        overdue = overdue.filter(stockrecord_id__in=stockrecord_ids)
    overdue = list(overdue.select_related("order"))
    freed = 0
    orders = {}
    for reservation in overdue:
        if reservation.order_id is None:
            freed += release([reservation], now=now)
        else:
            orders[reservation.order_id] = reservation.order
    for order in orders.values():
        answers = order_reservation_expired.send(StockReservation, order=order, now=now)
        if any(answer for _receiver, answer in answers):
            freed += 1
    return freed
