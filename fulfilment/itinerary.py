"""The stops of a run, in driving order, and planning that order.

Stop keys are stable strings stored in ``DeliveryRun.route``: ``h<household id>`` for a
household to collect from, ``p<RunPickup id>`` for a pickup point, ``o<order id>`` for a
home delivery. Home addresses are not geocoded (nothing may call a map service), so a home
stop is placed at its zone's centre for planning; the driver navigates by the address text.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from fulfilment import routing, supply
from fulfilment.models import Allocation, DeliveryRun, OrderRun


@dataclass
class RunStop:
    key: str
    kind: str  # routing.HOUSEHOLD / PICKUP / HOME
    title: str
    address: str = ""
    phone: str = ""
    lat: float | None = None
    lng: float | None = None
    household: object = None
    pickup: object = None
    allocations: list = field(default_factory=list)
    links: list = field(default_factory=list)
    window: tuple | None = None  # (earliest, latest) minutes after departure
    arrival: datetime.datetime | None = None
    late: bool = False
    load_kg: Decimal = Decimal("0")

    @property
    def has_point(self):
        return self.lat is not None and self.lng is not None


def allocations_for(run):
    """Saved allocations once the run is closed; before that, what sharing out the orders so
    far would give (unsaved), so the team can see the collection list take shape."""
    if run.status != DeliveryRun.Status.OPEN:
        return list(
            Allocation.objects.filter(run=run, quantity__gt=0).select_related(
                "household", "household__village", "product"
            )
        )
    from fulfilment import allocation

    sold = supply.sold_quantities(run)
    by_product = {}
    for commitment in run.commitments.select_related("household", "household__village", "product"):
        by_product.setdefault(commitment.product_id, []).append(commitment)
    rows = []
    for product_id, commitments in by_product.items():
        offers = [
            allocation.Offer(c.household_id, c.household.status, Decimal(c.quantity))
            for c in commitments
        ]
        offered = sum(o.quantity for o in offers)
        shares = allocation.share_out(min(Decimal(sold.get(product_id, 0)), offered), offers)
        for c in commitments:
            if shares[c.household_id]:
                rows.append(Allocation(run=run, household=c.household, product=c.product,
                                       quantity=int(shares[c.household_id]), unit_price=0))
    return rows


def order_links(run):
    return list(
        OrderRun.objects.filter(run=run)
        .exclude(order__status=supply.CANCELLED_ORDER)
        .select_related("order", "order__shipping_address", "order__user", "pickup__point",
                        "pickup__run", "zone")
        .prefetch_related("order__lines", "order__sources__source_type", "order__lines__cuts")
        .order_by("order__number")
    )


def _window(run, pickup):
    def minutes(value):
        moment = datetime.datetime.combine(run.date, value)
        start = datetime.datetime.combine(run.date, run.departure_time)
        return max(0, int((moment - start).total_seconds() // 60))

    return minutes(pickup.window_start), max(minutes(pickup.window_start), minutes(pickup.window_end))


def build_stops(run):
    stops = {}
    for row in allocations_for(run):
        household = row.household
        key = f"h{household.pk}"
        stop = stops.get(key)
        if stop is None:
            lat = household.latitude or household.village.latitude
            lng = household.longitude or household.village.longitude
            stop = stops[key] = RunStop(
                key=key, kind=routing.HOUSEHOLD, title=household.public_name,
                address=household.village.full_place, phone=household.phone,
                lat=float(lat) if lat is not None else None,
                lng=float(lng) if lng is not None else None, household=household,
            )
        stop.allocations.append(row)
        if row.product.weight_per_unit_g:
            stop.load_kg += Decimal(row.product.weight_per_unit_g) * row.quantity / 1000
    for link in order_links(run):
        if link.pickup_id:
            key = f"p{link.pickup_id}"
            stop = stops.get(key)
            if stop is None:
                point = link.pickup.point
                stop = stops[key] = RunStop(
                    key=key, kind=routing.PICKUP, title=point.name, address=point.address,
                    lat=float(point.latitude) if point.latitude is not None else None,
                    lng=float(point.longitude) if point.longitude is not None else None,
                    pickup=link.pickup, window=_window(run, link.pickup),
                )
        else:
            zone = link.zone
            address = link.order.shipping_address
            stop = stops[f"o{link.order_id}"] = RunStop(
                key=f"o{link.order_id}", kind=routing.HOME,
                title=address.first_name if address else link.order.number,
                address=address.summary if address else "",
                phone=str(address.phone_number or "") if address else "",
                lat=float(zone.latitude) if zone and zone.latitude is not None else None,
                lng=float(zone.longitude) if zone and zone.longitude is not None else None,
            )
        stop.links.append(link)
        stop.load_kg += link.weight_kg
    return list(stops.values())


def ordered_stops(run):
    """Stops in the planned order with arrival times; unplanned stops follow, households
    first, in the order they were built."""
    stops = build_stops(run)
    planned = {entry["key"]: entry for entry in run.route.get("stops", [])}
    position = {key: n for n, key in enumerate(planned)}
    kind_rank = {routing.HOUSEHOLD: 0, routing.PICKUP: 1, routing.HOME: 1}
    stops.sort(key=lambda s: (s.key not in position, position.get(s.key, 0), kind_rank[s.kind]))
    for stop in stops:
        entry = planned.get(stop.key)
        if entry is not None:
            stop.arrival = run.departure + datetime.timedelta(minutes=entry["arrival"])
            stop.late = stop.key in run.route.get("late", [])
    return stops


class RoutePlanError(ValueError):
    pass


def plan(run, time_limit_s=1.0, matrix=None):
    """Order the run's stops with ``routing.plan_route`` and store the result on the run."""
    stops = [stop for stop in build_stops(run) if stop.has_point]
    routing_stops = [
        routing.Stop(
            key=stop.key, lat=stop.lat, lng=stop.lng, kind=stop.kind, window=stop.window,
            load=float(stop.load_kg) if stop.kind == routing.HOUSEHOLD else -float(stop.load_kg),
        )
        for stop in stops
    ]
    try:
        result = routing.plan_route(
            run.start_point, routing_stops, capacity_kg=float(run.capacity_kg),
            matrix=matrix, time_limit_s=time_limit_s,
        )
    except routing.CapacityError as error:
        raise RoutePlanError(_("这一车装不下：%(error)s") % {"error": error}) from error
    run.route = {
        "stops": [
            {"key": stop.key, "arrival": minutes}
            for stop, minutes in zip(result.order, result.arrival_minutes, strict=True)
        ],
        "total_minutes": result.total_minutes,
        "total_metres": result.total_metres,
        "late": result.late,
        "solver": result.solver,
        "planned_at": timezone.now().isoformat(),
        "svg": routing.route_svg(run.start_point, result),
    }
    run.save(update_fields=["route"])
    return result
