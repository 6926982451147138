"""A run's orders as the team reads them on a phone: who, where, what, and the money.

Built from ``itinerary.order_links`` (links, lines, products and money in a fixed number of
queries), so the page costs the same for 2 orders as for 200. Statuses are read through
``shop.order.status`` and money through ``shop.order.money``; nothing is added up here.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from catalogue import units
from fulfilment.itinerary import address_parts, order_links
from shop.order import money
from shop.order import status as order_status


@dataclass
class OrderLine:
    title: str
    quantity: int
    unit: str
    cut: int
    status: str  # in the reader's language, "部分缺货" / "已缺货" when shortfalls took units

    @property
    def left(self):
        return max(0, self.quantity - self.cut)


@dataclass
class OrderRow:
    link: object
    order: object
    name: str
    phone: str  # as people write it
    phone_link: str  # for tel: (+86...)
    stop_key: str  # "p<RunPickup id>" or "z<zone id>"
    where: str
    address: str
    status: str
    money: object
    lines: list = field(default_factory=list)

    @property
    def has_cuts(self):
        return any(line.cut for line in self.lines)


@dataclass
class StopFilter:
    key: str
    label: str
    count: int = 0


def stop_key(link):
    return f"p{link.pickup_id}" if link.pickup_id else f"z{link.zone_id}"


def _row(link):
    order = link.order
    address = order.shipping_address
    order_money = money.of(order)  # attached by order_links: no query
    name = phone = phone_link = ""
    if address is not None:
        name = " ".join(part for part in (address.first_name, address.last_name) if part)
        if address.phone_number:
            phone = str(address.phone_number)
            phone_link = getattr(address.phone_number, "as_e164", phone)
    if link.pickup_id:
        where = link.pickup.point.name
        place = f"{link.pickup.point.address} · {link.pickup.window_label}"
    else:
        where = _("送货上门 · %(zone)s") % {"zone": link.zone.name if link.zone else ""}
        place = address_parts(address)[0]
    row = OrderRow(
        link=link,
        order=order,
        name=name,
        phone=phone,
        phone_link=phone_link,
        stop_key=stop_key(link),
        where=where,
        address=place,
        status=order_status.label(order.status),
        money=order_money,
    )
    for line in order.lines.all():
        cut = order_money.cut_units.get(line.pk, 0)
        row.lines.append(
            OrderLine(
                title=line.title,
                quantity=line.quantity,
                unit=units.label(line.product),
                cut=cut,
                status=order_status.line_label(line, cut),
            )
        )
    return row


def orders_of(run, stop=""):
    """(rows, filters, chosen filter): the run's orders (cancelled ones left out) in
    order-number order, those of ``stop`` ("p<id>"/"z<id>") only when it names one of
    the run's stops, with one filter per pickup point and zone and its count."""
    rows = [_row(link) for link in order_links(run)]
    filters = {}
    for row in rows:
        entry = filters.get(row.stop_key)
        if entry is None:
            entry = filters[row.stop_key] = StopFilter(row.stop_key, row.where)
        entry.count += 1
    ordered = sorted(filters.values(), key=lambda f: (f.key[0] != "p", f.label))
    chosen = filters.get(stop)
    if chosen is not None:
        rows = [row for row in rows if row.stop_key == stop]
    return rows, ordered, chosen
