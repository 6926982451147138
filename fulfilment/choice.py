"""The buyer's choice of run and stop, as the code it travels under through checkout.

Below the models: a pickup stop's ``shipping_code`` (fulfilment.models) and the runs'
rules (fulfilment.runs) both use it, and it imports neither.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class RunChoice:
    """The run a buyer chose and where they take the order: a pickup stop (``RunPickup``
    id) or a home-delivery zone. It travels through checkout as the shipping method's
    code, ``run-<run>-pickup-<stop>`` or ``run-<run>-zone-<zone>``; this is the one place
    that writes and reads that string."""

    run_id: int
    pickup_id: int | None = None
    zone_id: int | None = None

    CODE_RE = re.compile(r"^run-(?P<run>\d+)-(?P<kind>pickup|zone)-(?P<target>\d+)$")

    @classmethod
    def from_code(cls, code):
        """The choice ``code`` names, or None for any other code."""
        match = cls.CODE_RE.match(code or "")
        if not match:
            return None
        target = int(match["target"])
        if match["kind"] == "pickup":
            return cls(int(match["run"]), pickup_id=target)
        return cls(int(match["run"]), zone_id=target)

    @classmethod
    def at_stop(cls, stop):
        return cls(stop.run_id, pickup_id=stop.pk)

    @classmethod
    def to_zone(cls, run, zone):
        return cls(run.pk, zone_id=zone.pk)

    @property
    def is_pickup(self):
        return self.pickup_id is not None

    @property
    def code(self):
        if self.is_pickup:
            return f"run-{self.run_id}-pickup-{self.pickup_id}"
        return f"run-{self.run_id}-zone-{self.zone_id}"
