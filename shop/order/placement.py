"""Placing an order on a delivery run, in one place: checkout, the demo data, the benches
and the test helpers all go through ``place_on_run``.

1. Take the room on the run (``fulfilment.runs.take_room``): conditional updates of the
   run's loads and booked room, so that two buyers can never both take the last room in
   the car or the last promised eggs. On PostgreSQL it is one statement, a transaction of
   its own (``shop.core.sql.run_statement_or_refuse``): no lock outlives the statement.
2. Reserve the stock (``shop.partner.reservations``): one conditional update per stock
   record, again one statement of its own on PostgreSQL.
3. Write the order and tie it to its run (``fulfilment.runs.link_order``) in one
   transaction that never touches the run's row: orders on one run are written side by
   side instead of queueing behind its row lock.
4. When anything after 1 fails, give the room back and release the stock.

A basket split per team (``place_parts_on_runs``) takes 1 and 2 for every part before
writing any order, and writes all of them in one transaction: all are placed, or none.
"""

from django.db import connection, transaction
from django.utils.translation import gettext as _

from fulfilment import runs
from fulfilment.runs import RunChoice
from shop.partner import reservations

__all__ = ["Refused", "RunChoice", "place_on_run", "place_parts_on_runs"]


class Refused(Exception):
    """The order cannot be placed; ``messages`` says why, in the buyer's language."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


def place_on_run(choice, basket, create_order, awaiting_payment=False):
    """Place ``basket`` on the run ``choice`` (a ``RunChoice``) names and return the order.

    ``create_order()`` writes the order (Oscar's ``OrderCreator`` with the shop's checkout
    details) and returns it; it is called inside the order's transaction, after the room
    and stock are held. With ``awaiting_payment`` the stock stays reserved until the online
    payment settles it, else it is sold now. Raises ``Refused`` with the buyer's reasons
    (no room, short of supply or stock, run closed) with nothing changed."""
    return place_parts_on_runs([(choice, basket, create_order)], awaiting_payment)[0]


def place_parts_on_runs(parts, awaiting_payment=False, after_writing=None):
    """Place several orders at once, all or none: a basket split per team at checkout.

    ``parts`` is a list of ``(choice, basket, create_order)`` as ``place_on_run`` takes
    them. The room and stock of every part are taken first (steps 1 and 2 above); when
    one part is refused, what the parts before it took is given back and ``Refused`` says
    why, so nothing is placed. Then all orders are written in one transaction (step 3),
    and ``after_writing(orders)`` runs inside it (grouping them, recording the submit)."""
    held = []
    try:
        for choice, basket, _create in parts:
            held.append(_hold(choice, basket))
        with transaction.atomic():
            orders = []
            for (_choice, _basket, create_order), (booking, stock) in zip(parts, held, strict=True):
                order = create_order()
                # The stock held becomes the order's with the link to the run: one
                # statement on PostgreSQL; elsewhere the ORM's update after the link.
                sold = not awaiting_payment
                if connection.vendor == "postgresql":
                    attach = reservations.attach_statement(stock, order, sold=sold)
                    runs.link_order(order, booking, along=[attach] if attach else [])
                else:
                    runs.link_order(order, booking)
                    reservations.attach(stock, order, sold=sold)
                orders.append(order)
            if after_writing is not None:
                after_writing(orders)
    except BaseException:
        for booking, stock in reversed(held):
            reservations.release(stock)
            runs.give_back_room(booking)
        raise
    return orders


def _hold(choice, basket):
    """Take the room on the run and reserve the stock for ``basket``: (booking, stock)."""
    if choice is None:
        raise Refused([_("请选一个批次和取货方式。")])
    try:
        booking = runs.take_room(choice, basket)
    except runs.NoRoom as refusal:
        raise Refused(refusal.messages) from None
    try:
        stock = reservations.reserve_basket(basket)
    except reservations.OutOfStock as shortage:
        runs.give_back_room(booking)
        raise Refused(shortage.messages) from None
    except BaseException:
        runs.give_back_room(booking)
        raise
    return booking, stock
