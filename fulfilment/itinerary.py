"""The stops of a run, in driving order, and planning that order.

Stop keys are stable strings stored in ``DeliveryRun.route``: ``h<household id>`` for a
household to collect from, ``p<RunPickup id>`` for a pickup point, ``o<order id>`` for a
home delivery.

Home addresses are never geocoded online (nothing may call a map service). A home stop is
placed, in this order of preference (``RunStop.placed_by``):

1. ``pin``: a position the team pinned for that address on the run page (``AddressPin``,
   read off their own phone's map). It is kept per team and address text, so the next
   order to the same address lands there too;
2. ``district``: the coordinates written after the matching district in the zone's list
   ("建设路 27.7281,109.1923"; the longest matching name wins);
3. ``zone``: the zone's centre.

The driver still navigates by the address text; the position only orders the stops.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from fulfilment import allocation, routing, supply
from fulfilment.models import AddressPin, Allocation, DeliveryRun, OrderRun
from shop.order import money
from shop.order import status as order_status


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
    late_minutes: int = 0  # how long after its window closes the car gets there
    load_kg: Decimal = Decimal("0")
    placed_by: str = ""  # home stops: "pin", "district", "zone" or "" (no position)

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
                rows.append(
                    Allocation(
                        run=run,
                        household=c.household,
                        product=c.product,
                        quantity=int(shares[c.household_id]),
                        unit_price=0,
                    )
                )
    return rows


def order_links(run):
    """The run's orders (cancelled left out) with their lines and their money
    (``shop.order.money``), in a fixed number of queries."""
    links = list(
        OrderRun.objects.filter(run=run)
        .exclude(order__status=order_status.CANCELLED)
        .select_related(
            "order",
            "order__shipping_address",
            "order__user",
            "pickup__point",
            "pickup__run",
            "zone",
        )
        .prefetch_related("order__lines__product")
        .order_by("order__number")
    )
    money.attach([link.order for link in links])
    return links


def address_parts(address):
    """(text, postcode) of a shipping address, as zones match them."""
    if address is None:
        return "", ""
    lines = [
        getattr(address, name, "") or "" for name in ("line1", "line2", "line3", "line4", "state")
    ]
    return " ".join(part for part in lines if part), getattr(address, "postcode", "") or ""


def pins_for(team, links):
    """{address key: AddressPin} for the home orders among ``links``, in one query."""
    keys = {
        AddressPin.key_for(address_parts(link.order.shipping_address)[0])
        for link in links
        if link.zone_id and link.order.shipping_address
    }
    keys.discard("")
    if not keys:
        return {}
    return {pin.key: pin for pin in AddressPin.objects.filter(team=team, key__in=keys)}


def place_home(link, pins):
    """((lat, lng) or None, placed_by) for a home-delivery order; see the module docstring."""
    text, postcode = address_parts(link.order.shipping_address)
    pin = pins.get(AddressPin.key_for(text)) if text else None
    if pin is not None:
        return (float(pin.latitude), float(pin.longitude)), "pin"
    zone = link.zone
    if zone is None:
        return None, ""
    place = zone.place_of(text, postcode)
    if place is not None:
        return place, "district"
    if zone.latitude is not None and zone.longitude is not None:
        return (float(zone.latitude), float(zone.longitude)), "zone"
    return None, ""


def _window(run, pickup):
    def minutes(value):
        moment = datetime.datetime.combine(run.date, value)
        start = datetime.datetime.combine(run.date, run.departure_time)
        return max(0, int((moment - start).total_seconds() // 60))

    return minutes(pickup.window_start), max(
        minutes(pickup.window_start), minutes(pickup.window_end)
    )


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
                key=key,
                kind=routing.HOUSEHOLD,
                title=household.public_name,
                address=household.village.full_place,
                phone=household.phone,
                lat=float(lat) if lat is not None else None,
                lng=float(lng) if lng is not None else None,
                household=household,
            )
        stop.allocations.append(row)
        if row.product.weight_per_unit_g:
            stop.load_kg += Decimal(row.product.weight_per_unit_g) * row.quantity / 1000
    # An order a shortfall cut to nothing has no stop: nothing to hand over or collect.
    links = [
        link
        for link in order_links(run)
        if not order_status.nothing_left(line.status for line in link.order.lines.all())
    ]
    pins = pins_for(run.team_id, links)
    for link in links:
        if link.pickup_id:
            key = f"p{link.pickup_id}"
            stop = stops.get(key)
            if stop is None:
                point = link.pickup.point
                stop = stops[key] = RunStop(
                    key=key,
                    kind=routing.PICKUP,
                    title=point.name,
                    address=point.address,
                    lat=float(point.latitude) if point.latitude is not None else None,
                    lng=float(point.longitude) if point.longitude is not None else None,
                    pickup=link.pickup,
                    window=_window(run, link.pickup),
                )
        else:
            address = link.order.shipping_address
            place, placed_by = place_home(link, pins)
            stop = stops[f"o{link.order_id}"] = RunStop(
                key=f"o{link.order_id}",
                kind=routing.HOME,
                title=address.first_name if address else link.order.number,
                address=address.summary if address else "",
                phone=str(address.phone_number or "") if address else "",
                lat=place[0] if place else None,
                lng=place[1] if place else None,
                placed_by=placed_by,
            )
        stop.links.append(link)
        stop.load_kg += link.weight_kg
    return list(stops.values())


def home_stops(run):
    """The run's home deliveries with where planning places them, for the pin form."""
    links = list(
        OrderRun.objects.filter(run=run, pickup__isnull=True)
        .exclude(order__status=order_status.CANCELLED)
        .select_related("order", "order__shipping_address", "zone")
        .order_by("order__number")
    )
    pins = pins_for(run.team_id, links)
    rows = []
    for link in links:
        address = link.order.shipping_address
        place, placed_by = place_home(link, pins)
        rows.append(
            {
                "link": link,
                "order": link.order,
                "address": address.summary if address else "",
                "lat": place[0] if place else None,
                "lng": place[1] if place else None,
                "placed_by": placed_by,
                "can_pin": bool(address_parts(address)[0]),
            }
        )
    return rows


def set_pin(run, link, lat, lng, actor=None):
    """Pin the address of a home order at (lat, lng) for this and later runs; ``None``
    removes the pin."""
    text = address_parts(link.order.shipping_address)[0]
    key = AddressPin.key_for(text)
    if not key:
        raise ValueError("no address")
    if lat is None or lng is None:
        AddressPin.objects.filter(team_id=run.team_id, key=key).delete()
        return None
    pin, _created = AddressPin.objects.update_or_create(
        team_id=run.team_id,
        key=key,
        defaults={
            "address": text[:255],
            "latitude": lat,
            "longitude": lng,
            "updated_by": actor if actor and actor.is_authenticated else None,
        },
    )
    return pin


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
            if stop.window is not None:
                stop.late_minutes = max(0, entry["arrival"] - stop.window[1])
    return stops


def distance_text(metres):
    """Kilometres to one decimal: "19.3 公里"."""
    return _("%(km)s 公里") % {"km": f"{Decimal(metres) / 1000:.1f}"}


def duration_text(minutes):
    """Hours and minutes: "5 小时 5 分", "2 小时", "45 分"."""
    hours, rest = divmod(max(0, int(minutes)), 60)
    if hours and rest:
        return _("%(h)s 小时 %(m)s 分") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)s 小时") % {"h": hours}
    return _("%(m)s 分") % {"m": rest}


def route_summary(route):
    """A planned route's length and time as a person reads them: "19.3 公里，5 小时 5 分"."""
    return _("%(distance)s，%(duration)s") % {
        "distance": distance_text(route.get("total_metres", 0)),
        "duration": duration_text(route.get("total_minutes", 0)),
    }


def short_name(title, limit=6):
    """A stop's name short enough to print beside its dot on the route picture."""
    title = " ".join(str(title).split())
    return title if len(title) <= limit else title[: limit - 1] + "…"


class RoutePlanError(ValueError):
    pass


# Planning runs on a worker, and production keeps no task results: what the run page shows
# of a plan in progress or gone wrong is written here, on the run, by the view and the worker.
def request_plan(run):
    """Note on the run that a plan was asked for; the worker's plan (or failure) replaces it."""
    route = {key: value for key, value in run.route.items() if key != "error"}
    route["requested_at"] = timezone.now().isoformat()
    run.route = route
    run.save(update_fields=["route"])


def plan_failed(run, error):
    """Keep the last good plan, if any, and say why the new one could not be made."""
    route = {key: value for key, value in run.route.items() if key != "requested_at"}
    route["error"] = str(error)
    run.route = route
    run.save(update_fields=["route"])


def plan_progress(run):
    """What the run page says about planning: asked at (still waiting), or the failure."""
    requested = run.route.get("requested_at")
    return {
        "requested_at": datetime.datetime.fromisoformat(requested) if requested else None,
        "error": run.route.get("error", ""),
    }


def plan(run, time_limit_s=1.0, matrix=None):
    """Order the run's stops with ``routing.plan_route`` and store the result on the run."""
    stops = [stop for stop in build_stops(run) if stop.has_point]
    routing_stops = [
        routing.Stop(
            key=stop.key,
            lat=stop.lat,
            lng=stop.lng,
            kind=stop.kind,
            window=stop.window,
            load=float(stop.load_kg) if stop.kind == routing.HOUSEHOLD else -float(stop.load_kg),
        )
        for stop in stops
    ]
    try:
        result = routing.plan_route(
            run.start_point,
            routing_stops,
            capacity_kg=float(run.capacity_kg),
            matrix=matrix,
            time_limit_s=time_limit_s,
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
        "svg": routing.route_svg(
            run.start_point, result, labels={stop.key: short_name(stop.title) for stop in stops}
        ),
    }
    run.save(update_fields=["route"])
    return result
