from django import template

from fulfilment.itinerary import duration_text
from shop.shipping.repository import Repository

register = template.Library()


@register.simple_tag
def delivery_unavailable(basket):
    """Why some runs are not offered for this basket (full, past cut-off, short of supply)."""

    return Repository().unavailable(basket)


@register.filter
def route_duration(minutes):
    """Minutes as hours and minutes ("1 小时 5 分"), as the route page says them."""

    return duration_text(minutes or 0)
