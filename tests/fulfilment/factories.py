"""Factories for delivery runs and what hangs off them."""

import datetime
from decimal import Decimal as D

import factory
from django.utils import timezone

from fulfilment.models import DeliveryRun, DeliveryZone, RunPickup, SupplyCommitment
from tests.factories import PickupPointFactory, TeamFactory


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


__all__ = [
    "DeliveryRunFactory",
    "DeliveryZoneFactory",
    "CommitmentFactory",
    "PickupPointFactory",
    "open_run_at",
    "pickup_code",
]


def place_order(
    run,
    items,
    *,
    email="buyer@example.cn",
    name="林小满",
    stop=None,
    zone=None,
    paid_online=False,
    line1="",
    placed=None,
):
    """Place an order on ``run`` as checkout does (``shop.order.placement``: room and stock
    taken, Oscar's OrderCreator, the run link), paid on pickup unless ``paid_online``.
    ``items`` is [(product, quantity)]."""
    from oscar.apps.partner.strategy import Default
    from oscar.core.loading import get_model
    from oscar.test.factories import create_order

    from shop.order.placement import place_on_run
    from shop.shipping.methods import HomeDeliveryOnRun, PickupOnRun

    Basket = get_model("basket", "Basket")
    ShippingAddress = get_model("order", "ShippingAddress")
    Country = get_model("address", "Country")
    Source = get_model("payment", "Source")
    SourceType = get_model("payment", "SourceType")

    basket = Basket.objects.create()
    basket.strategy = Default()
    for product, quantity in items:
        basket.add_product(product, quantity)
    if zone is not None:
        method = HomeDeliveryOnRun(run, zone)
    else:
        method = PickupOnRun(stop or run.stops.first())
    address = ShippingAddress(
        first_name=name,
        phone_number="+8613812345678",
        line1=line1,
        country=Country.objects.get(iso_3166_1_a2="CN"),
    )
    address.save()
    order = place_on_run(
        method.choice,
        basket,
        lambda: create_order(
            basket=basket, shipping_method=method, shipping_address=address, guest_email=email
        ),
    )
    if placed is not None:
        order.date_placed = placed
        order.save(update_fields=["date_placed"])
    order.refresh_from_db()  # the number generator leaves an int on the instance
    code = "card" if paid_online else "pay-on-pickup"
    source_type, _ = SourceType.objects.get_or_create(code=code, defaults={"name": code})
    Source.objects.create(
        order=order,
        source_type=source_type,
        amount_allocated=order.total_incl_tax,
        amount_debited=order.total_incl_tax if paid_online else D("0"),
    )
    return order


__all__ += ["place_order"]
