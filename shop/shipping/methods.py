"""Shipping methods as buyers see them: one per (run, pickup point) and per (run, zone).

The code names the run and the stop (``fulfilment.runs.parse_shipping_code``), so the
order records which run carries it and Oscar's checkout re-checks the choice each step.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.shipping.methods import FixedPrice, Free


def _cutoff(run):
    return timezone.localtime(run.cutoff).strftime("%m-%d %H:%M")


class PickupOnRun(Free):
    """Collect the order at a pickup point when the run's car stops there; no fee."""

    is_pickup = True

    def __init__(self, stop):
        self.stop = stop
        self.run = stop.run
        self.code = stop.shipping_code
        self.name = _("自提：%(point)s（%(window)s）") % {
            "point": stop.point.name,
            "window": stop.window_label,
        }
        self.description = _("%(address)s · %(cutoff)s 截单") % {
            "address": stop.point.address,
            "cutoff": _cutoff(self.run),
        }


class HomeDeliveryOnRun(FixedPrice):
    """Brought to the buyer's address inside a zone the run serves, for the zone's fee."""

    is_pickup = False

    def __init__(self, run, zone):
        super().__init__(charge_excl_tax=zone.fee, charge_incl_tax=zone.fee)
        self.run = run
        self.zone = zone
        self.code = f"run-{run.pk}-zone-{zone.pk}"
        self.name = _("送货上门：%(zone)s（%(date)s）") % {
            "zone": zone.name,
            "date": run.date.strftime("%m-%d"),
        }
        self.description = _("%(run)s 送到您填写的地址 · %(cutoff)s 截单") % {
            "run": run,
            "cutoff": _cutoff(run),
        }


class ChooseAtCheckout(Free):
    """What the basket page shows before a run is chosen: the choice comes at checkout.

    Working out every open run's capacity for a basket costs a dozen queries, so the
    basket page only promises that pickup is free and names where the choice is made.
    """

    code = "choose-at-checkout"
    is_pickup = True

    @property
    def name(self):
        return _("结算时选择自提点（免费）或送货上门")
