from tests.payment.conftest import stripe_fake  # noqa: F401  Stripe switched on against the fake
