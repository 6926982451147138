"""The delivery-side fixtures the placement tests share."""

from tests.fulfilment.conftest import households  # noqa: F401
