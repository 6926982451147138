"""The fixtures the order's life and placement tests share: households on the delivery side,
Stripe switched on against the fake."""

from tests.fulfilment.conftest import households  # noqa: F401
from tests.payment.conftest import stripe_fake  # noqa: F401  Stripe switched on against the fake
