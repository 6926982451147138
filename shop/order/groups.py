"""Orders placed together in one checkout (a basket split per team, ``shop.checkout.split``).

Each order keeps its own run, pickup, money and refunds; the ``CheckoutGroup`` only says
they were bought together: the thank-you page and the e-mail list every part, one online
payment covers them (``shop.payment.stripe_gateway``), and the buyer's order list notes
"与 #xxx 同一次下单".
"""

from oscar.core.loading import get_model

Order = get_model("order", "Order")
CheckoutGroup = get_model("order", "CheckoutGroup")


def group(orders):
    """Record that ``orders`` were placed in one checkout (inside the transaction that
    writes them); return the group."""
    found = CheckoutGroup.objects.create()
    Order.objects.filter(pk__in=[order.pk for order in orders]).update(checkout_group=found)
    for order in orders:
        order.checkout_group = found
    return found


def orders_of_group(order):
    """The orders placed with ``order`` in one checkout, ``order`` among them, by number;
    [order] for an order placed on its own."""
    if not order.checkout_group_id:
        return [order]
    return list(
        Order.objects.filter(checkout_group_id=order.checkout_group_id)
        .select_related("shipping_address")
        .order_by("number")
    )


def parts_of_checkout(order):
    """The orders of ``order``'s checkout with their lines and ``team_name`` (the team that
    sells them), for the e-mail; [] for an order placed on its own."""
    if not order.checkout_group_id:
        return []
    parts = list(
        Order.objects.filter(checkout_group_id=order.checkout_group_id)
        .select_related("shipping_address")
        .prefetch_related("lines__product")
        .order_by("number")
    )
    for part in parts:
        lines = list(part.lines.all())
        part.team_name = lines[0].partner_name if lines else ""
    return parts


def is_first_of_group(order):
    """Whether ``order`` speaks for its checkout (one e-mail lists every part): an order
    placed on its own always does."""
    if not order.checkout_group_id:
        return True
    first = (
        Order.objects.filter(checkout_group_id=order.checkout_group_id)
        .order_by("number")
        .values_list("pk", flat=True)
        .first()
    )
    return first == order.pk


def siblings_by_order(orders):
    """{order id: [numbers of the other orders of its checkout]} for ``orders``, in one
    query at most."""
    groups = {order.checkout_group_id for order in orders if order.checkout_group_id}
    if not groups:
        return {}
    numbers = {}
    for group_id, number in (
        Order.objects.filter(checkout_group_id__in=groups)
        .order_by("number")
        .values_list("checkout_group_id", "number")
    ):
        numbers.setdefault(group_id, []).append(number)
    return {
        order.pk: [n for n in numbers.get(order.checkout_group_id, []) if n != order.number]
        for order in orders
        if order.checkout_group_id
    }
