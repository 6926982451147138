from django import template

register = template.Library()


@register.simple_tag
def delivery_unavailable(basket):
    """Why some runs are not offered for this basket (full, past cut-off, short of supply)."""
    from shop.shipping.repository import Repository

    return Repository().unavailable(basket)
