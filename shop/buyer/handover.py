"""Where and when a buyer gets an order: the pickup point with its address and window, or
home delivery in a zone, with the weekday written out. The guest order page, the text
messages and the e-mails all take these facts from ``where_and_when``."""

from urllib.parse import urlencode

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from fulfilment.models import OrderRun
from shop.core.dates import day, moment, window  # noqa: F401 (the buyer_tags filters)


def _link(order):
    """The order's run link with its run, stop, point and zone, read in one query (and
    kept on the order for the next caller: the text message and the e-mail both ask)."""
    if "run_link" not in order._state.fields_cache:
        link = (
            OrderRun.objects.select_related("run", "pickup__point", "zone")
            .filter(order_id=order.pk)
            .first()
        )
        type(order).run_link.related.set_cached_value(order, link)
    try:
        return order.run_link
    except ObjectDoesNotExist:  # an order no run carries (demo history, imports)
        return None


def where_and_when(order):
    """``{"pickup": bool, "place", "address", "time", "map_url"}`` for ``order``, or None
    for an order that no run carries."""
    link = _link(order)
    if link is None:
        return None
    run = link.run
    if link.pickup_id:
        stop = link.pickup
        point = stop.point
        return {
            "pickup": True,
            "place": point.name,
            "address": point.address,
            "time": window(run.date, stop.window_start, stop.window_end),
            "map_url": map_url(point),
        }
    address = order.shipping_address
    return {
        "pickup": False,
        "place": _("送货上门（%(zone)s）") % {"zone": link.zone.name if link.zone_id else ""},
        "address": " ".join(part for part in (address.line1, address.line4) if address and part),
        "time": f"{day(run.date)} {run.departure_time:%H:%M}",
        "map_url": "",
    }


def map_url(point):
    """A map link for a pickup point (Amap's public marker page, which opens in WeChat)."""
    latitude = getattr(point, "latitude", None)
    longitude = getattr(point, "longitude", None)
    if latitude is None or longitude is None:
        return ""
    query = urlencode({"position": f"{longitude},{latitude}", "name": point.name})
    return f"https://uri.amap.com/marker?{query}"
