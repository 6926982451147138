"""Addresses buyers receive in e-mails and text messages.

Every absolute link is built from ``settings.SHOP_BASE_URL`` (the site's real domain), never
from the Site object or the request, so a message sent by a worker points at the same
place as a page. The order link is signed (``django.core.signing``, salted, no expiry: an
SMS may be read weeks later), carries the order number, and opens the order without
typing anything.
"""

from django.core import signing
from django.urls import reverse
from django.utils import translation

from shop.core.links import absolute

ORDER_LINK_SALT = "shop.buyer.order-link"


def order_token(order):
    return signing.Signer(salt=ORDER_LINK_SALT).sign(order.number)


def order_number_from(token):
    """The order number a token carries, or None when it was not signed by this site."""
    try:
        return signing.Signer(salt=ORDER_LINK_SALT).unsign(token)
    except signing.BadSignature:
        return None


def order_path(order, language=None):
    with translation.override(language or translation.get_language()):
        return reverse("buyer:order", kwargs={"token": order_token(order)})


def order_url(order, language=None):
    """The signed link to ``order``'s page, absolute, in ``language`` (the current one)."""
    return absolute(order_path(order, language))
