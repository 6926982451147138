"""``{{ order.status|status_label }}`` and ``{{ event.event_type.name|event_label }}``: the
stored Chinese status and payment event names, in the reader's language.
``{% with order=order|status_in_language %}{{ block.super }}{% endwith %}`` does the same
for an Oscar block that prints ``order.status`` itself (``shop.order.status.in_reader_language``)."""

from django import template

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
