"""Where and when a buyer gets an order: the pickup point with its address and window, or
home delivery in a zone, with the weekday written out. The guest order page, the text
messages and the e-mails all take these facts from ``where_and_when``."""

from urllib.parse import urlencode

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WEEKDAYS = [
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
]


def day(value):
    """``12-06 周日`` (``12-06 Sun`` in English) for a date or a datetime."""
    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%m-%d} {WEEKDAYS[value.weekday()]}"


def moment(value):
    """``12-06 周日 10:32`` for a datetime, in the shop's time zone."""
    return f"{day(value)} {timezone.localtime(value):%H:%M}"


def _link(order):
    """The order's run link with its run, stop, point and zone, read in one query (and
    kept on the order for the next caller: the text message and the e-mail both ask)."""
    if "run_link" not in order._state.fields_cache:
        from fulfilment.models import OrderRun

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
            "time": f"{day(run.date)} {stop.window_start:%H:%M}–{stop.window_end:%H:%M}",
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
