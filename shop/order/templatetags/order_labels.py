"""``{{ order.status|status_label }}`` and ``{{ event.event_type.name|event_label }}``: the
stored Chinese status and payment event names, in the reader's language.
``{% with order=order|status_in_language %}{{ block.super }}{% endwith %}`` does the same
for an Oscar block that prints ``order.status`` itself (``shop.order.status.in_reader_language``)."""

import copy

from django import template
from django.utils.html import escape

from shop.order import history, status

register = template.Library()


@register.filter
def status_label(value):
    return status.label(value)


@register.filter
def event_label(value):
    return history.event_label(value)


@register.filter
def status_in_language(value):
    return status.in_reader_language(value)


@register.filter
def status_texts(statuses):
    return status.texts(statuses)


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
