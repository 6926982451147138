"""Addresses on the site's public address (``SHOP_BASE_URL``), for messages, QR codes and
share cards: never the request's host or the Site object's example.com."""

from django.conf import settings


def absolute(path):
    """``path`` (``/shop/...``) on the site's public address."""
    return f"{settings.SHOP_BASE_URL}{path}"
