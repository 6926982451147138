"""Getting food from the village to the buyer.

A pickup point (自提点) is where buyers collect their order: a hospital lobby,
a community gate, a market stall. Each belongs to the work team whose car stops
there and has a time window. Delivery runs, zones and lists build on these.

A ``DeliveryRun`` stops at pickup points (``RunPickup``, each with its own window)
and serves home-delivery zones. Orders are tied to a run by ``OrderRun``;
households promise supply per run (``SupplyCommitment``) and at cut-off the sold
units are credited to them (``Allocation``). The processes live in ``runs``,
``supply``, ``shortfalls``, ``payouts``, ``lists`` and ``driver``.

The models are kept by subject:

- ``places``: ``PickupPoint``, ``DeliveryZone``, ``AddressPin``
- ``runs``: ``DeliveryRun``, ``RunPickup``, ``RunEvent``, ``OrderRun``, ``RunLoad``,
  ``RunBooking``, ``DriverTap``
- ``supply``: ``CratePacking``, ``SupplyCommitment``, ``Allocation``, ``Shortfall``,
  ``LineCut``, ``HouseholdLink``
- ``money``: ``RefundOwed``, ``LineWeight``, ``Payout``

Import them from here: ``from fulfilment.models import DeliveryRun``.
"""

from fulfilment.models.money import LineWeight, Payout, RefundOwed
from fulfilment.models.places import (
    DISTRICT_COORDINATES,
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    NOT_NEGATIVE,
    AddressPin,
    DeliveryZone,
    PickupPoint,
)
from fulfilment.models.runs import (
    DeliveryRun,
    DriverTap,
    OrderRun,
    RunBooking,
    RunEvent,
    RunLoad,
    RunPickup,
)
from fulfilment.models.supply import (
    Allocation,
    CratePacking,
    HouseholdLink,
    LineCut,
    Shortfall,
    SupplyCommitment,
    new_household_token,
)

__all__ = [
    "DISTRICT_COORDINATES",
    "LATITUDE_RANGE",
    "LONGITUDE_RANGE",
    "NOT_NEGATIVE",
    "AddressPin",
    "Allocation",
    "CratePacking",
    "DeliveryRun",
    "DeliveryZone",
    "DriverTap",
    "HouseholdLink",
    "LineCut",
    "LineWeight",
    "OrderRun",
    "Payout",
    "PickupPoint",
    "RefundOwed",
    "RunBooking",
    "RunEvent",
    "RunLoad",
    "RunPickup",
    "Shortfall",
    "SupplyCommitment",
    "new_household_token",
]
