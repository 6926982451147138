"""``{% order_receipt order as receipt %}`` and ``{% receipt_qr order %}``: an order's
"钱去了哪里" (``fulfilment.receipt``) for the order pages and the packing list."""

from django import template

from fulfilment import receipt
from shop.core.qr import qr_svg

register = template.Library()


@register.simple_tag
def order_receipt(order):
    return receipt.for_order(order)


@register.simple_tag
def receipt_qr(order):
    """Inline SVG QR code of the order's public receipt."""
    return qr_svg(receipt.url_for(order))


@register.simple_tag
def receipt_path(order):
    return receipt.path_for(order)
