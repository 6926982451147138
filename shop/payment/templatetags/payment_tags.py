"""Template helpers for payment state: ``{% online_payment_enabled as on %}``,
``order|is_unpaid`` and ``order|amount_to_collect`` for run sheets and the driver view."""

from django import template

from shop.payment import methods, processing

register = template.Library()


@register.simple_tag
def online_payment_enabled():
    return methods.stripe_enabled()


@register.filter
def is_unpaid(order):
    return processing.is_unpaid(order)


@register.filter
def amount_to_collect(order):
    return processing.amount_to_collect(order)


@register.simple_tag
def order_payment_summary(order):
    """What the buyer's order page shows about money: method, paid, refunded, the
    history of payments and status changes, and whether they may still cancel."""
    from shop.order.cancellation import why_not_cancellable

    source = processing.order_source(order)
    return {
        "method": methods.label(source.source_type.code) if source else "",
        "paid": source.amount_debited if source else 0,
        "refunded": source.amount_refunded if source else 0,
        "to_collect": processing.amount_to_collect(order),
        "events": order.payment_events.select_related("event_type").order_by("date_created"),
        "changes": order.status_changes.order_by("date_created"),
        "notes": order.notes.filter(note_type="System").order_by("date_created"),
        "cancel_refused": why_not_cancellable(order),
    }
