"""The unit a product is sold in, read the same on every screen: a product sold by the 箱
shows its price per 箱, its stock in 箱 and every quantity in 箱, on the card, the product
page, the basket, the checkout, the order page, the e-mail and the text message.

``label`` names the unit (``箱``, ``box``) after a price; ``amount`` writes a quantity in it
(``3 箱``, ``3 boxes``: English counts its plural). Templates use the ``unit_label`` and
``in_unit`` filters of ``shop_tags``, which call these.
"""

from django.utils.translation import ngettext


def _counted(code, quantity):
    # Each unit's own pair, so that English can say "1 box" and "3 boxes".
    if code == "jin":
        return ngettext("%(n)s 斤", "%(n)s 斤", quantity)
    if code == "mei":
        return ngettext("%(n)s 枚", "%(n)s 枚", quantity)
    if code == "ge":
        return ngettext("%(n)s 个", "%(n)s 个", quantity)
    if code == "zhi":
        return ngettext("%(n)s 只", "%(n)s 只", quantity)
    if code == "xiang":
        return ngettext("%(n)s 箱", "%(n)s 箱", quantity)
    if code == "fen":
        return ngettext("%(n)s 份", "%(n)s 份", quantity)
    if code == "kg":
        return ngettext("%(n)s 公斤", "%(n)s 公斤", quantity)
    return "%(n)s"


def code(product):
    """The unit's stored code (``xiang``); a variant is sold in its parent's unit."""
    if product is None:
        return ""
    unit = getattr(product, "unit", "") or ""
    if not unit and getattr(product, "parent_id", None):
        unit = getattr(product.parent, "unit", "") or ""
    return unit


def label(product):
    """``箱`` (``box``): the unit after a price, ``¥35.00 / 箱``."""
    if product is None:
        return ""
    owner = product if getattr(product, "unit", "") else getattr(product, "parent", None)
    return owner.get_unit_display() if getattr(owner, "unit", "") else ""


def amount(quantity, product):
    """``3 箱`` (``3 boxes``); the bare number for a product gone from the catalogue."""
    if quantity is None:
        return ""
    number = int(quantity) if float(quantity).is_integer() else quantity
    return _counted(code(product), number) % {"n": number}
