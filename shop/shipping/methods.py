"""Shipping methods as buyers see them: one per (run, pickup point) and per (run, zone).

The code names the run and the stop (``fulfilment.runs.RunChoice``), so the
order records which run carries it and Oscar's checkout re-checks the choice each step.
"""

from functools import partial

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from oscar.apps.shipping.methods import FixedPrice, Free

from fulfilment.models import DeliveryRun, DeliveryZone, RunPickup
from fulfilment.runs import RunChoice
from shop.core import dates


def _stop_of_run(stop, run):
    """Order pages name each order's pickup stop (read from the primary)."""
    return list(
        RunPickup.objects.using("default")
        .filter(pk=stop, run_id=run)
        .select_related("run", "point")
    )


def _cutoff(run):
    return dates.moment(run.cutoff)


def pickup_name(stop):
    return _("自提：%(point)s（%(window)s）") % {
        "point": stop.point.name,
        "window": stop.window_label,
    }


def delivery_name(run, zone):
    return _("送货上门：%(zone)s（%(date)s）") % {
        "zone": zone.name,
        "date": dates.day(run.date),
    }


def _name_from_code(code):
    """How to name the method ``code`` stands for (a callable), or None when the code is
    not a run's or its stop or zone is gone."""
    choice = RunChoice.from_code(code)
    if choice is None:
        return None
    if choice.is_pickup:
        found = _stop_of_run(stop=choice.pickup_id, run=choice.run_id)
        return partial(pickup_name, found[0]) if found else None
    run = DeliveryRun.objects.filter(pk=choice.run_id).first()
    zone = DeliveryZone.objects.filter(pk=choice.zone_id).first()
    return partial(delivery_name, run, zone) if run and zone else None


def name_in_reader_language(code, stored_name):
    """An order's shipping method name (``Order.shipping_method``, stored in the language
    the buyer ordered in) rebuilt from its code in the reader's language. The stored name
    stays when no language rebuilds it exactly (a pickup point renamed since, a window
    moved) or the code is not a run's: a page never names another place or time than the
    order did."""
    name = _name_from_code(code)
    if name is None:
        return stored_name
    as_written = set()
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            as_written.add(name())
    return name() if stored_name in as_written else stored_name


class PickupOnRun(Free):
    """Collect the order at a pickup point when the run's car stops there; no fee."""

    is_pickup = True

    def __init__(self, stop):
        self.stop = stop
        self.run = stop.run
        self.choice = RunChoice.at_stop(stop)
        self.code = self.choice.code
        self.name = pickup_name(stop)
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
        self.choice = RunChoice.to_zone(run, zone)
        self.code = self.choice.code
        self.name = delivery_name(run, zone)
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
