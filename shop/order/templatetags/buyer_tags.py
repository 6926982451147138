"""What buyers' messages and pages say about an order after it is placed (``shop.buyer``):
``{% order_link order %}`` (the signed, absolute link; ``order_path`` for a page), ``{{ order|pickup_code }}``,
``{% where_and_when order as handover %}``, ``{{ value|moment }}`` and ``{{ date|day }}``."""

from django import template

from shop import notices
from shop.buyer import codes, handover, links
from shop.core.links import absolute
from shop.order import changes, groups

register = template.Library()

# The buyer modules' own functions, registered as they are: ``order_link`` the signed,
# absolute link; ``order_path`` its path, for pages on this site; ``checkout_parts`` every
# order placed with one in one checkout (a basket split per team); ``shop_url`` a path on
# the site's public address (``SHOP_BASE_URL``).
register.simple_tag(links.order_url, name="order_link")
register.simple_tag(groups.parts_of_checkout, name="checkout_parts")
register.simple_tag(links.order_path, name="order_path")
register.simple_tag(absolute, name="shop_url")
register.filter("pickup_code", codes.pickup_code)
register.simple_tag(handover.where_and_when, name="where_and_when")


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
