"""What buyers' messages and pages say about an order after it is placed (``shop.buyer``):
``{% order_link order %}`` (the signed, absolute link; ``order_path`` for a page), ``{{ order|pickup_code }}``,
``{% where_and_when order as handover %}``, ``{{ value|moment }}`` and ``{{ date|day }}``."""

from django import template

from shop import notices
from shop.buyer import codes, handover, links
from shop.order import changes, groups

register = template.Library()


@register.simple_tag
def order_link(order):
    return links.order_url(order)


@register.simple_tag
def checkout_parts(order):
    """Every order placed with ``order`` in one checkout (a basket split per team), with its
    team's name; [] for an order placed on its own."""
    return groups.parts_of_checkout(order)


@register.simple_tag
def order_path(order):
    """The signed link's path, for pages on this site."""
    return links.order_path(order)


@register.simple_tag
def shop_url(path):
    """``path`` on the site's public address (``SHOP_BASE_URL``)."""
    return links.absolute(path)


@register.filter
def pickup_code(order):
    return codes.pickup_code(order)


@register.simple_tag(name="where_and_when")
def where_and_when_tag(order):
    return handover.where_and_when(order)


@register.filter
def moment(value):
    return handover.moment(value) if value else ""


@register.filter
def day(value):
    return handover.day(value) if value else ""


@register.simple_tag
def sent_notices(order):
    """The text messages that went out about ``order`` (``shop.notices``), oldest first."""
    return notices.sent(order)


@register.simple_tag
def why_not_changeable(order):
    """None while the buyer may still change ``order`` (``shop.order.changes``), else why."""

    return changes.why_not_changeable(order)
