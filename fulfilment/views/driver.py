"""The driver's phone page: next stop first, one big button per action."""

import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from fulfilment import driver, itinerary, lists, offline_taps, routing, runs
from fulfilment.access import run_or_404, team_required
from fulfilment.models import DeliveryRun, DriverTap
from shop.order import weighing

Order = get_model("order", "Order")


def _stop_done(stop):
    if stop.kind == routing.HOUSEHOLD:
        return all(a.collected_at for a in stop.allocations if a.pk)
    return all(link.handed_over_at for link in stop.links)


@team_required
def driver_view(request, pk):
    run = run_or_404(request, pk)
    stops = itinerary.ordered_stops(run)
    to_weigh = weighing.lines_to_weigh(run)
    at_households = weighing.at_households(run, to_weigh)
    rows = []
    for stop in stops:
        rows.append(
            {
                "stop": stop,
                "done": _stop_done(stop),
                "key": uuid.uuid4(),
                "orders": [
                    {
                        "packed": lists.packed_order(link),
                        "key": uuid.uuid4(),
                        "cash_key": uuid.uuid4(),
                        "weigh": [
                            {**entry, "key": uuid.uuid4()}
                            for entry in to_weigh.get(link.order_id, ())
                        ],
                        "done": bool(link.handed_over_at),
                    }
                    for link in stop.links
                ],
                "arrived": bool(stop.links) and all(link.ready_notified_at for link in stop.links),
                "weigh": [
                    {**entry, "key": uuid.uuid4()} for entry in at_households.get(stop.key, ())
                ],
            }
        )
    next_row = next((row for row in rows if not row["done"]), None)
    titles = {row["stop"].key: row["stop"].title for row in rows}
    undo_taps = []
    for action in driver.UNDOABLE:
        last = driver.undoable(run, action)
        if last is not None:
            last.title = titles.get(last.stop_key, "")
            undo_taps.append(last)
    waiting = 0
    if run.status in (DeliveryRun.Status.CLOSED, DeliveryRun.Status.COLLECTING):
        waiting = runs.households_waiting(run)
    return render(
        request,
        "fulfilment/driver.html",
        {
            "run": run,
            "rows": rows,
            "next": next_row,
            "offline": offline_settings(),
            "undo_taps": undo_taps,
            "waiting_households": waiting,
        },
    )


def _wants_json(request):
    """The driver page's script sends queued taps with ``Accept: application/json``; a plain
    form post (no JavaScript) gets the page back as before."""
    return "application/json" in request.headers.get("Accept", "")


def _answer(request, run, status=200, error="", **data):
    if _wants_json(request):
        if error:
            return JsonResponse({"ok": False, "error": error}, status=status)
        return JsonResponse({"ok": True, **data})
    if error:
        messages.error(request, error)
        return redirect("fulfilment:driver", pk=run.pk)
    if data.get("message") and not data.get("duplicate"):
        (messages.success if not data.get("already") else messages.info)(request, data["message"])
    return redirect(reverse("fulfilment:driver", kwargs={"pk": run.pk}) + "#next")


@require_POST
@team_required
def driver_tap(request, pk):
    """One tap, from the form or from the phone's queue of taps made offline. JSON answers:
    ``{"ok": true, "duplicate": false}`` recorded; ``"duplicate": true`` this key was used
    before (nothing happens); ``"already": true`` with ``by`` when another tap already did
    it (nothing is recorded); ``{"ok": false, "error": ...}`` with 400/409 otherwise."""
    run = run_or_404(request, pk)
    try:
        key = uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        return _answer(request, run, 400, _("按钮已失效，请刷新页面再点。"))
    action = request.POST.get("action", "")
    stop_key = request.POST.get("stop", "")[:32]
    order = None
    if request.POST.get("order"):
        order = Order.objects.filter(
            pk=request.POST["order"] if request.POST["order"].isdigit() else None,
            run_link__run=run,
        ).first()
        if order is None:
            return _answer(request, run, 400, _("这个订单不在本批次。"))
    if action not in DriverTap.Action.values:
        return _answer(request, run, 400, _("未知操作。"))
    if DriverTap.objects.filter(key=key).exists():
        return _answer(request, run, duplicate=True)
    earlier = offline_taps.made_already(run, action, stop_key, order)
    if earlier is not None:
        name = offline_taps.tapped_by_name(earlier) or _("其他队员")
        return _answer(
            request,
            run,
            duplicate=False,
            already=True,
            by=name,
            message=_("已由 %(name)s 登记") % {"name": name},
        )
    weight = None
    if action == DriverTap.Action.WEIGHED:
        weight = (request.POST.get("line", ""), request.POST.get("weight", "")[:20])
    try:
        recorded = driver.tap(
            run, key, action, stop_key, order=order, actor=request.user, weight=weight
        )
    except driver.TapError as error:
        return _answer(request, run, 409, str(error))
    except ValueError:
        return _answer(request, run, 400, _("站点无效。"))
    undo = None
    if recorded and action in driver.UNDOABLE:
        undo = {
            "url": reverse("fulfilment:driver-undo", kwargs={"pk": run.pk}),
            "key": str(key),
            "label": _("撤销"),
        }
    message = _("已记录。")
    if recorded and action == DriverTap.Action.WEIGHED:
        message = _("已称重，订单金额已按实重调整。")
    return _answer(request, run, duplicate=not recorded, message=message, undo=undo)


CACHE_PREFIX = "team-driver-"
PAGE_CACHE = CACHE_PREFIX + "pages-v1"
STATIC_CACHE = CACHE_PREFIX + "static-v1"
OFFLINE_STATIC_FILES = (
    "js/driver.js",
    "js/sign_out.js",
    "js/here.js",
    "js/site.js",
    "css/site.css",
    "desk/desk.css",
    "oscar/css/styles.css",
    "oscar/js/jquery/jquery.min.js",
    "img/logo.svg",
    "img/favicon.svg",
    "img/driver-192.png",
)
"""What the driver page loads, kept on the phone when the service worker installs."""


def offline_settings():
    """Names the page script and the service worker share (and sign-out clears)."""
    return {
        "cachePrefix": CACHE_PREFIX,
        "pageCache": PAGE_CACHE,
        "staticCache": STATIC_CACHE,
        "caches": [PAGE_CACHE, STATIC_CACHE],
        "database": "team-driver",
    }


def service_worker(request):
    """The service worker script, at the top of the team pages so that its scope covers
    them (``/shop/team/``, ``/en/shop/team/``). It holds no data, so it needs no sign-in."""
    team_prefix = reverse("fulfilment:run-list")
    config = {
        **offline_settings(),
        "teamPrefix": team_prefix,
        "staticPrefix": settings.STATIC_URL,
        "staticFiles": [static(name) for name in OFFLINE_STATIC_FILES],
    }
    response = render(
        request,
        "fulfilment/service_worker.js",
        {"config": json.dumps(config)},
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = team_prefix
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


def driver_manifest(request, pk):
    """The web app manifest that makes a run's driver page installable on the phone's home
    screen. Built from the URL alone (no data, no sign-in): browsers fetch manifests without
    cookies."""
    data = {
        "name": _("521助农小店 · 司机"),
        "short_name": _("司机"),
        "lang": get_language(),
        "start_url": reverse("fulfilment:driver", kwargs={"pk": pk}),
        "scope": reverse("fulfilment:run-list"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#2f6b3a",
        "icons": [
            {
                "src": static(f"img/driver-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    }
    return JsonResponse(
        data,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
