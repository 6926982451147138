"""Factories for delivery runs and what hangs off them."""

import datetime
from decimal import Decimal as D

import factory
from django.utils import timezone

from fulfilment.models import DeliveryRun, DeliveryZone, PickupPoint, RunPickup, SupplyCommitment
from tests.partner.factories import TeamFactory


class PickupPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PickupPoint

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"县人民医院门诊大厅{n}")
    address = "人民路 88 号"
    window = "周六 8:30–11:00"


class DeliveryZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryZone

    team = factory.SubFactory(TeamFactory)
    name = "城关镇"
    fee = D("5.00")
    minimum_order = D("30.00")
    districts = "城关镇\n建设路\n450000"
    latitude = D("34.760000")
    longitude = D("113.640000")


class DeliveryRunFactory(factory.django.DjangoModelFactory):
    """An open run two days ahead; ``stops=[point, ...]`` adds pickup stops 9:00–11:00."""

    class Meta:
        model = DeliveryRun
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=2))
    departure_time = datetime.time(6, 0)
    cutoff = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    capacity_kg = D("300")
    capacity_crates = 0
    start_label = "向阳村村委会"
    start_latitude = D("34.802000")
    start_longitude = D("113.521000")

    @factory.post_generation
    def stops(self, create, points, **kwargs):
        for point in points or []:
            RunPickup.objects.create(
                run=self,
                point=point,
                window_start=datetime.time(9, 0),
                window_end=datetime.time(11, 0),
            )


def open_run_at(point, **kwargs):
    return DeliveryRunFactory(team=point.team, stops=[point], **kwargs)


def pickup_code(run, point=None):
    stop = run.stops.get(point=point) if point else run.stops.first()
    return stop.shipping_code


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplyCommitment

    run = factory.SubFactory(DeliveryRunFactory)
    household = None
    product = None
    quantity = 60
