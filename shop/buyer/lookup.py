"""A guest finds an order by its number and the mobile number given at checkout.

Tries are counted in the cache per client address and per order number
(``ORDER_LOOKUP_TRIES`` in ``ORDER_LOOKUP_WINDOW`` seconds), so nobody can walk through
order numbers or guess a buyer's phone. A wrong number and a wrong phone get the same
answer, so the form never tells which orders exist.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from oscar.core.loading import get_model

from shop.checkout.forms import normalise_cn_mobile

Order = get_model("order", "Order")


class TooManyTries(Exception):
    pass


def _counted(key):
    """Count one more try under ``key``; True while within the limit."""
    window = settings.ORDER_LOOKUP_WINDOW
    cache.add(key, 0, window)
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        tries = 1
    return tries <= settings.ORDER_LOOKUP_TRIES


def order_phone(order):
    """The 11-digit mobile given at checkout (the shipping address's), or None."""
    address = order.shipping_address
    if address is None or not address.phone_number:
        return None
    return normalise_cn_mobile(getattr(address.phone_number, "as_e164", address.phone_number))


def find_order(number, phone, client):
    """The order with ``number`` whose checkout mobile is ``phone``; None when either is
    wrong. Raises ``TooManyTries`` once ``client`` or ``number`` has used up its tries."""
    number = (number or "").strip()
    within = [_counted(f"order-lookup:client:{client}"), _counted(f"order-lookup:number:{number}")]
    if not all(within):
        raise TooManyTries
    mobile = normalise_cn_mobile(phone)
    if not number or not mobile:
        return None
    order = Order.objects.filter(number=number).select_related("shipping_address").first()
    if order is None or order_phone(order) != mobile:
        return None
    return order


def buyer_phone(user):
    """The mobile a signed-in buyer is known by: her default delivery address's, else her
    newest address's, else the one given with her newest order; None when she gave none."""

    address = (
        user.addresses.exclude(phone_number="")
        .order_by(F("is_default_for_shipping").desc(), "-date_created")
        .first()
    )
    if address is not None:
        mobile = normalise_cn_mobile(getattr(address.phone_number, "as_e164", address.phone_number))
        if mobile:
            return mobile
    order = (
        Order.objects.filter(user=user, shipping_address__isnull=False)
        .select_related("shipping_address")
        .order_by("-date_placed")
        .first()
    )
    return order_phone(order) if order is not None else None
