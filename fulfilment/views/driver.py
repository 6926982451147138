"""The driver's phone page: next stop first, one big button per action."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from fulfilment import driver, itinerary, lists, routing
from fulfilment.access import run_or_404, team_required
from fulfilment.models import DriverTap

Order = get_model("order", "Order")


def _stop_done(stop):
    if stop.kind == routing.HOUSEHOLD:
        return all(a.collected_at for a in stop.allocations if a.pk)
    return all(link.handed_over_at for link in stop.links)


@team_required
def driver_view(request, pk):
    run = run_or_404(request, pk)
    stops = itinerary.ordered_stops(run)
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
                        "done": bool(link.handed_over_at),
                    }
                    for link in stop.links
                ],
                "arrived": bool(stop.links) and all(link.ready_notified_at for link in stop.links),
            }
        )
    next_row = next((row for row in rows if not row["done"]), None)
    return render(request, "fulfilment/driver.html", {"run": run, "rows": rows, "next": next_row})


@require_POST
@team_required
def driver_tap(request, pk):
    run = run_or_404(request, pk)
    try:
        key = uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        messages.error(request, _("按钮已失效，请刷新页面再点。"))
        return redirect("fulfilment:driver", pk=run.pk)
    action = request.POST.get("action", "")
    order = None
    if request.POST.get("order"):
        order = Order.objects.filter(pk=request.POST["order"], run_link__run=run).first()
        if order is None:
            messages.error(request, _("这个订单不在本批次。"))
            return redirect("fulfilment:driver", pk=run.pk)
    if action not in DriverTap.Action.values:
        messages.error(request, _("未知操作。"))
        return redirect("fulfilment:driver", pk=run.pk)
    try:
        if driver.tap(
            run, key, action, request.POST.get("stop", "")[:32], order=order, actor=request.user
        ):
            messages.success(request, _("已记录。"))
    except (driver.TapError, ValueError) as error:
        messages.error(
            request, str(error) if isinstance(error, driver.TapError) else _("站点无效。")
        )
    return redirect(reverse("fulfilment:driver", kwargs={"pk": run.pk}) + "#next")
