"""The run day on a phone: a run's orders, and the steps that ask before they act.

Closing or cancelling a run, setting off without the households not yet collected,
recording a shortfall and paying a household each take two taps: the first shows what
will happen (how many orders, how much money), the second (``confirm=1``) does it. The
confirmation form carries what the person saw (``seen``); when the figures changed
meanwhile (another member acted, the form was sent twice) the step is shown again with
the new figures and nothing is done. Plain forms: no JavaScript needed.
"""

import uuid
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulfilment import driver, run_orders, runs
from fulfilment.access import run_or_404, team_required
from fulfilment.models import DeliveryRun, OrderRun
from shop.order import money
from shop.order import status as order_status

Status = DeliveryRun.Status


@team_required
def orders(request, pk):
    run = run_or_404(request, pk)
    rows, filters, chosen = run_orders.orders_of(run, request.GET.get("stop", ""))
    return render(
        request,
        "fulfilment/run_orders.html",
        {
            "run": run,
            "rows": rows,
            "filters": filters,
            "chosen": chosen,
            "total": sum(f.count for f in filters),
        },
    )


# --- closing or cancelling a run ------------------------------------------------------


def status_preview(run, to_status):
    """The figures the confirmation shows before a run is closed or cancelled."""
    orders_on_run = [
        link.order
        for link in OrderRun.objects.filter(run=run).select_related("order")
        if link.order.status != order_status.CANCELLED
    ]
    figures = money.for_orders(orders_on_run)
    due = sum((m.due for m in figures.values()), Decimal("0.00"))
    paid = sum((m.paid - m.refunds_paid for m in figures.values()), Decimal("0.00"))
    return {
        "to": to_status,
        "orders": len(orders_on_run),
        "due": due,
        "paid": paid,
        "early": to_status == Status.CLOSED and run.is_open_for_orders,
        "seen": f"{run.status}-{len(orders_on_run)}-{due}-{paid}",
    }


NEEDS_CONFIRMING = (Status.CLOSED, Status.CANCELLED)


def confirm_status(request, run, to_status):
    """``run_status``'s first step for a close or a cancel, and its check of the second:
    None when the move may go ahead, else the page to show."""
    if to_status not in runs.TRANSITIONS[run.status]:
        return None  # not possible (or done by someone else already): change_status says so
    preview = status_preview(run, to_status)
    if request.POST.get("confirm") == "1" and request.POST.get("seen") == preview["seen"]:
        return None
    if request.POST.get("confirm") == "1":
        messages.warning(request, _("情况有变化，请看清新的数字后再确认。"))
    return render(
        request,
        "fulfilment/run_confirm.html",
        {"run": run, "preview": preview, "status_label": Status(to_status).label},
    )


# --- setting off without the rest ------------------------------------------------------


def _set_off_seen(waiting, preview):
    households = ",".join(str(h.pk) for h, _rows in waiting)
    return f"{households}-{preview.fingerprint}"


@team_required
def set_off(request, pk):
    """ "不等了，出发": GET (or a first POST) shows which households are left behind and what
    that cuts from whose orders; ``confirm=1`` with the same figures sets off."""
    run = run_or_404(request, pk)
    if run.status not in (Status.CLOSED, Status.COLLECTING):
        messages.info(request, _("车已经出发了。"))
        return redirect("fulfilment:driver", pk=run.pk)
    waiting, preview = driver.set_off_preview(run)
    seen = _set_off_seen(waiting, preview)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        if request.POST.get("seen") == seen:
            try:
                recorded = driver.set_off(run, actor=request.user)
            except (driver.TapError, runs.IllegalTransition) as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("已出发。%(n)s 项没收到的货已记为缺货，受影响的买家会收到通知。")
                    % {"n": len(recorded)},
                )
            return redirect(reverse("fulfilment:driver", kwargs={"pk": run.pk}) + "#next")
        messages.warning(request, _("情况有变化，请看清新的数字后再确认。"))
    return render(
        request,
        "fulfilment/set_off_confirm.html",
        {"run": run, "waiting": waiting, "preview": preview, "seen": seen},
    )


# --- undo -----------------------------------------------------------------------------


@require_POST
@team_required
def undo(request, pk):
    run = run_or_404(request, pk)
    try:
        key = uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        messages.error(request, _("按钮已失效，请刷新页面再点。"))
        return redirect("fulfilment:driver", pk=run.pk)
    try:
        undone = driver.undo(run, key, actor=request.user)
    except driver.TapError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("已撤销“%(action)s”。") % {"action": undone.get_action_display()}
        )
    return redirect(reverse("fulfilment:driver", kwargs={"pk": run.pk}) + "#next")
