"""Template helpers for payment state: ``{% online_payment_enabled as on %}``,
``order|is_unpaid`` and ``order|amount_to_collect`` for run sheets and the driver view."""

from django import template
from django.db.models import prefetch_related_objects

from shop.order import money
from shop.order import status as order_status
from shop.order.cancellation import why_not_cancellable
from shop.payment import methods, pay_rest, processing

register = template.Library()

# The payment modules' own functions, registered as they are.
register.simple_tag(methods.stripe_enabled, name="online_payment_enabled")
register.filter("is_unpaid", processing.is_unpaid)
register.filter("amount_to_collect", processing.amount_to_collect)


@register.simple_tag
def order_payment_summary(order):
    """What the buyer's order page shows about money: method, paid, refunded, the
    history of payments and status changes, whether they may still cancel, and the rest
    they may pay online (``shop.payment.pay_rest``)."""

    order_money = money.of(order)
    rest = pay_rest.payable(order)  # what the buyer may pay online now
    first = order_money.is_online and order_money.paid_online <= 0  # not a 补款: all of it
    return {
        "method": methods.label(order_money.method) if order_money.method else "",
        "money": order_money,
        "events": order.payment_events.select_related("event_type").order_by("date_created"),
        "changes": order.status_changes.order_by("date_created"),
        "notes": order.notes.filter(note_type="System").order_by("date_created"),
        "cancel_refused": why_not_cancellable(order),
        "rest": rest,
        "rest_first": first,
        # An online order placed for the buyer (a standing order) not paid before its run
        # set off: its amount is now cash at hand-over.
        "online_closed": first and not rest and order_money.cash_to_collect > 0,
    }


@register.simple_tag
def order_lines(order):
    """The order's lines as the buyer got them: units left after shortfall cuts, what they
    cost now (re-priced by a recorded weight), and each line's status (cut, partly cut) in the reader's language."""
    order_money = money.of(order)
    lines = list(order.lines.all())
    # Each line's unit (catalogue.units) and, priced by weight, its recorded weight.
    prefetch_related_objects(lines, "product__parent", "weighing")
    rows = []
    for line in lines:
        cut = order_money.cut_units.get(line.pk, 0)
        left = max(0, line.quantity - cut)
        weighed = getattr(line, "weighing", None)  # fulfilment.LineWeight, re-pricing it
        rows.append(
            {
                "line": line,
                "cut": cut,
                "left": left,
                "amount": (line.unit_price_incl_tax or 0) * left
                + (weighed.amount if weighed else 0),
                "weighed": weighed,
                "status": order_status.line_label(line, cut),
            }
        )
    return rows


@register.simple_tag
def order_progress(order):
    """The buyer's progress line: each step, done or current, from ``shop.order.status``."""
    current = order_status.rank(order.status)
    steps = []
    for step in order_status.BUYER_STEPS:
        reached = current >= order_status.rank(step)
        if step == order_status.READY and order.status == order_status.OUT_FOR_DELIVERY:
            step = order_status.OUT_FOR_DELIVERY
        steps.append({"label": order_status.label(step), "done": reached})
    return {
        "steps": steps,
        "cancelled": order.status == order_status.CANCELLED,
        "handed_over": order.status in order_status.DELIVERED,
    }
