"""The unit a product is sold in, read the same on every screen: a product sold by the 箱
shows its price per 箱, its stock in 箱 and every quantity in 箱, on the card, the product
page, the basket, the checkout, the order page, the e-mail and the text message.

``label`` names the unit (``箱``, ``box``) after a price; ``amount`` writes a quantity in it
(``3 箱``, ``3 boxes``: English counts its plural). Templates use the ``unit_label`` and
``in_unit`` filters of ``shop_tags``, which call these.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
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
    return amount_in(quantity, code(product))


def amount_in(quantity, unit_code):
    """``amount`` for a unit known by its code (``xiang``), without the product."""
    number = int(quantity) if float(quantity).is_integer() else quantity
    return _counted(unit_code, number) % {"n": number}


# --- priced by weight ------------------------------------------------------------------
#
# A bird is sold per piece (只) but its value is its weight: the buyer pays an estimate
# (``estimated_jin`` × ``price_per_jin`` per piece) and the line is settled by the real
# weight the team records (``shop.order.weighing``). This is the one place that says
# whether a product is priced by weight and what its rule reads like.

JIN_STEP = Decimal("0.1")
# What one piece may weigh at most when recorded: a yard chicken is 2–8 斤, a goose up to
# about 15; anything above is a typing slip (a 50 for a 5.0).
MAX_JIN_PER_PIECE = Decimal("20")


@dataclass(frozen=True)
class WeightRule:
    price_per_jin: Decimal
    estimated_jin: Decimal

    @property
    def estimated_price(self):
        """What one piece costs at the estimate: the price the basket and checkout charge."""
        return (self.price_per_jin * self.estimated_jin).quantize(Decimal("0.01"))

    def value(self, weight_jin):
        """The real value of ``weight_jin`` 斤."""
        return (self.price_per_jin * Decimal(weight_jin)).quantize(Decimal("0.01"))


def by_weight(product):
    """The product's ``WeightRule`` when it is priced by weight, else None (a variant
    follows its parent)."""
    if product is None:
        return None
    owner = product
    if getattr(product, "price_per_jin", None) is None and getattr(product, "parent_id", None):
        owner = product.parent
    price, estimate = getattr(owner, "price_per_jin", None), getattr(owner, "estimated_jin", None)
    if not price or not estimate:
        return None
    return WeightRule(price_per_jin=price, estimated_jin=estimate)


def jin(weight):
    """``3.4 斤`` (``3.4 jin``): a weight, trimmed of a trailing ``.0``."""
    weight = Decimal(weight).quantize(JIN_STEP)
    number = int(weight) if weight == weight.to_integral_value() else weight
    return _counted("jin", number) % {"n": number}


def weight_note(product):
    """``约 3 斤，¥40.00/斤，按实重结算`` on the product card and page, the basket, the
    checkout and the order page; empty for a product not priced by weight."""
    rule = by_weight(product)
    if rule is None:
        return ""
    return _("约 %(weight)s/%(unit)s，¥%(price)s/斤，按实重结算，多退少补") % {
        "weight": jin(rule.estimated_jin),
        "unit": label(product),
        "price": rule.price_per_jin,
    }
