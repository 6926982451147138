"""The team's paperwork for a run: collection list, packing list and run sheet.

Each builder returns plain rows used three ways: the HTML page, a PDF and an XLSX
workbook (both drawn in ``fulfilment.documents.run_lists``).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue import units
from fulfilment import routing
from fulfilment.itinerary import ordered_stops
from shop.order import money


@dataclass
class PackedOrder:
    link: object
    number: str
    name: str
    phone: str
    destination: str
    items: list = field(default_factory=list)  # (title, quantity, unit)
    cash: Decimal = Decimal("0")
    money: object = None  # the order's OrderMoney


def _unit(product):
    return units.label(product)


def packed_order(link):
    order = link.order
    address = order.shipping_address
    if link.pickup_id:
        destination = f"{link.pickup.point.name} {link.pickup.window_label}"
    else:
        destination = _("送货上门：%(address)s") % {"address": address.summary if address else ""}
    packed = PackedOrder(
        link=link,
        number=order.number,
        name=address.first_name if address else "",
        phone=str(address.phone_number or "") if address else "",
        destination=destination,
    )
    order_money = money.of(order)
    for line in order.lines.all():
        left = line.quantity - order_money.cut_units.get(line.pk, 0)
        if left > 0:
            packed.items.append((line.title, left, _unit(line.product)))
    packed.cash = order_money.cash_to_collect
    packed.money = order_money
    return packed


def collection_list(run):
    """Households in driving order with what to collect from each."""
    rows = []
    for stop in ordered_stops(run):
        if stop.kind != routing.HOUSEHOLD:
            continue
        rows.append(
            {
                "stop": stop,
                "items": [
                    (a.product.get_title(), a.quantity, _unit(a.product)) for a in stop.allocations
                ],
                "collected": all(a.collected_at for a in stop.allocations if a.pk),
            }
        )
    return rows


def packing_list(run):
    """Orders grouped by where they are handed over, in driving order."""
    orders = []
    for stop in ordered_stops(run):
        orders.extend(packed_order(link) for link in stop.links)
    return orders


def run_sheet(run):
    rows = []
    for number, stop in enumerate(ordered_stops(run), start=1):
        rows.append(
            {
                "number": number,
                "stop": stop,
                "collect": [
                    (a.product.get_title(), a.quantity, _unit(a.product)) for a in stop.allocations
                ],
                "orders": [packed_order(link) for link in stop.links],
            }
        )
    return rows


# --- tables shared by PDF and XLSX ------------------------------------------------


def items_text(items):
    return "，".join(f"{title} {qty}{unit}" for title, qty, unit in items)


def _time(value):
    return timezone.localtime(value).strftime("%H:%M") if value else ""


def table(kind, run):
    """(title, header, rows) for ``kind`` in collection / packing / sheet."""
    if kind == "collection":
        header = [_("顺序"), _("农户"), _("电话"), _("地址"), _("要收的货")]
        rows = [
            [n, r["stop"].title, r["stop"].phone, r["stop"].address, items_text(r["items"])]
            for n, r in enumerate(collection_list(run), start=1)
        ]
        return _("收货单"), header, rows
    if kind == "packing":
        header = [_("订单号"), _("收货人"), _("手机"), _("交货地点"), _("装袋")]
        rows = [
            [o.number, o.name, o.phone, o.destination, items_text(o.items)]
            for o in packing_list(run)
        ]
        return _("装袋单"), header, rows
    header = [_("站"), _("时间"), _("地点"), _("联系人/电话"), _("交接"), _("代收现金")]
    rows = []
    for row in run_sheet(run):
        stop = row["stop"]
        if row["collect"]:
            rows.append(
                [
                    row["number"],
                    _time(stop.arrival),
                    f"{stop.title} {stop.address}",
                    stop.phone,
                    _("收：") + items_text(row["collect"]),
                    "",
                ]
            )
        elif not row["orders"]:
            rows.append([row["number"], _time(stop.arrival), stop.title, "", "", ""])
        for order in row["orders"]:
            rows.append(
                [
                    row["number"],
                    _time(stop.arrival),
                    f"{stop.title} {stop.address}",
                    f"{order.name} {order.phone}",
                    _("交：%(n)s %(items)s")
                    % {"n": order.number, "items": items_text(order.items)},
                    order.cash if order.cash else "",  # a number in the workbook
                ]
            )
    return _("行车单"), header, rows
