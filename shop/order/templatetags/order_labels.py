"""``{{ order.status|status_label }}`` and ``{{ event.event_type.name|event_label }}``: the
stored Chinese status and payment event names, in the reader's language.
``{% with order=order|status_in_language %}{{ block.super }}{% endwith %}`` does the same
for an Oscar block that prints ``order.status`` itself (``shop.order.status.in_reader_language``);
``shipping_in_language`` and ``payment_events_in_language`` likewise for an order's shipping
method name and a line's payment events."""

import copy

from django import template
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.html import escape
from django.utils.translation import get_language
from oscar.core.loading import get_model

from shop.order import history, status
from shop.payment import methods
from shop.shipping.methods import name_in_reader_language

PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

register = template.Library()

# The order-life modules' own functions, registered as they are.
register.filter("status_label", status.label)
register.filter("event_label", history.event_label)
register.filter("status_in_language", status.in_reader_language)
register.filter("status_texts", status.texts)


class _EventName(str):
    def __html__(self):
        return escape(history.event_label(str(self)))


@register.filter
def event_types_in_language(event_types):
    """Display copies of payment event types whose names print in the reader's language."""
    shown = []
    for event_type in event_types:
        copy_ = copy.copy(event_type)
        copy_.name = _EventName(event_type.name)
        shown.append(copy_)
    return shown


@register.filter
def shipping_in_language(order):
    """A display copy of an order whose ``shipping_method`` is named in the reader's
    language (the order keeps the name it was placed with)."""
    if order is None:
        return order
    names = order.__dict__.setdefault("_shipping_names", {})  # pages name it more than once
    language = get_language()
    if language not in names:
        names[language] = name_in_reader_language(order.shipping_code, order.shipping_method)
    shown = copy.copy(order)
    shown.shipping_method = names[language]
    return shown


@register.filter
def payment_events_in_language(line):
    """A display copy of an order line whose ``payment_event_quantities.all`` are events
    whose type names print in the reader's language."""
    shown = copy.copy(line)
    shown._prefetched_objects_cache = {}  # the copy's own, not shared with ``line``
    events = PaymentEventQuantity.objects.select_related("event__event_type")
    prefetch_related_objects([shown], Prefetch("payment_event_quantities", queryset=events))
    for event_qty in shown.payment_event_quantities.all():
        event_type = event_qty.event.event_type
        event_type.name = _EventName(event_type.name)
    return shown


@register.filter
def payment_way(source_type):
    """A payment source type named in the reader's language (its stored name is written in
    the language of the first order that used it)."""
    code = getattr(source_type, "code", "")
    return methods.label(code) if code in dict(methods.CHOICES) else source_type.name
