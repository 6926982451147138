"""Talking to Stripe at all: the client (with the HTTP client the settings name) and
yuan <-> fen. The gateway (sessions, payments) and refunds both build on it."""

from decimal import Decimal

import stripe
from django.conf import settings
from django.utils.module_loading import import_string


def get_client():
    factory = settings.STRIPE_HTTP_CLIENT_FACTORY
    http_client = import_string(factory)() if factory else None
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        http_client=http_client,
        max_network_retries=2,
        base_addresses=base,
    )


def to_fen(amount):
    return int((Decimal(amount) * 100).quantize(Decimal("1")))


def from_fen(fen):
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def as_dict(obj):
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
