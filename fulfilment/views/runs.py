"""The team's run pages: list, plan/edit, detail with status buttons, supply, shortfalls."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulfilment import itinerary, runs, shortfalls, supply, tasks
from fulfilment.access import run_or_404, team_required, visible_teams
from fulfilment.forms import AddressPinForm, CommitmentForm, RunForm, ShortfallForm
from fulfilment.models import DeliveryRun, OrderRun, RunPickup
from fulfilment.views import run_day
from shop.waitlist import wake


@team_required
def run_list(request):
    runs.close_due_runs()
    teams = visible_teams(request.user)
    run_rows = (
        DeliveryRun.objects.filter(team__in=teams)
        .select_related("team")
        .annotate(order_count=Count("order_links", distinct=True))
        .order_by("-date", "-departure_time")[:100]
    )
    return render(request, "fulfilment/run_list.html", {"runs": run_rows, "teams": teams})


def _save_run(form):
    with transaction.atomic():
        run = form.save()
        chosen = form.cleaned_data["stops"]  # {point: (start, end)}
        run.stops.exclude(point__in=list(chosen)).filter(order_links__isnull=True).delete()
        for point, (start, end) in chosen.items():
            RunPickup.objects.update_or_create(
                run=run,
                point=point,
                defaults={"window_start": start, "window_end": end},
            )
        supply.sync_stock(run.team)
    return run


@team_required
def run_edit(request, pk=None):
    run = run_or_404(request, pk) if pk else None
    if run is not None and run.status != DeliveryRun.Status.OPEN:
        messages.error(request, _("只有接单中的批次可以修改。"))
        return redirect("fulfilment:run-detail", pk=run.pk)
    teams = visible_teams(request.user)
    form = RunForm(request.POST or None, instance=run, teams=teams)
    if request.method == "POST" and form.is_valid():
        run = _save_run(form)
        if not run.events.exists():
            run.events.create(to_status=run.status, actor=request.user, note=_("创建批次"))
        messages.success(request, _("已保存配送批次。"))
        return redirect("fulfilment:run-detail", pk=run.pk)
    return render(request, "fulfilment/run_form.html", {"form": form, "run": run})


@team_required
def run_detail(request, pk):
    runs.close_due_runs()
    run = run_or_404(request, pk)
    committed = supply.committed_quantities(run)
    sold = supply.sold_quantities(run)
    products = supply.products_by_id(set(committed) | set(sold))
    kg, crates = runs.load_of(sold, products)
    stock_rows = [
        {"product": products[pid], "committed": committed.get(pid, 0), "sold": sold.get(pid, 0)}
        for pid in sorted(products, key=lambda p: products[p].title)
    ]
    context = {
        "run": run,
        "next_states": runs.allowed_next(run),
        "events": run.events.select_related("actor"),
        "stops": run.stops.select_related("point"),
        "zones": run.zones.all(),
        "stock_rows": stock_rows,
        "load_kg": kg,
        "crates": crates,
        "order_count": run.order_links.count(),
        "route_svg": mark_safe(
            run.route.get("svg", "")
        ),  # built by routing.route_svg with shop.core.charts, which escapes every text
        "shortfalls": run.shortfalls.select_related("household", "product"),
        "home_stops": itinerary.home_stops(run),
        "route_stops": itinerary.ordered_stops(run) if run.route.get("stops") else [],
        "route_summary": itinerary.route_summary(run.route),
        "route_progress": itinerary.plan_progress(run),
        "refunds": run.shortfalls.aggregate(total=Sum("refunds__amount"))["total"],
    }
    return render(request, "fulfilment/run_detail.html", context)


@require_POST
@team_required
def run_status(request, pk):
    run = run_or_404(request, pk)
    to_status = request.POST.get("to", "")
    if to_status in run_day.NEEDS_CONFIRMING:
        page = run_day.confirm_status(request, run, to_status)
        if page is not None:
            return page
    elif to_status == DeliveryRun.Status.DELIVERING and runs.households_waiting(run):
        return redirect("fulfilment:set-off", pk=run.pk)
    try:
        runs.change_status(
            run,
            to_status,
            actor=request.user,
            note=request.POST.get("note", "")[:200],
        )
        messages.success(request, _("批次状态已改为“%(s)s”。") % {"s": run.get_status_display()})
    except (runs.IllegalTransition, ValueError) as error:
        messages.error(
            request,
            str(error) if isinstance(error, runs.IllegalTransition) else _("不认识的状态。"),
        )
    return redirect("fulfilment:run-detail", pk=run.pk)


@require_POST
@team_required
def run_route(request, pk):
    """Planning runs on a worker (OR-Tools may take seconds). The request is noted on the run
    and the worker writes the plan there, so the page shows progress without asking Celery
    for a result (production keeps none). Without a broker the task has run by the time
    ``delay`` returns, and the page says what came out."""
    run = run_or_404(request, pk)
    itinerary.request_plan(run)
    tasks.solve_route.delay(run.pk)
    run.refresh_from_db(fields=["route"])
    progress = itinerary.plan_progress(run)
    if progress["requested_at"]:
        messages.info(request, _("正在规划路线，几秒后刷新本页即可看到。"))
    elif progress["error"]:
        messages.error(request, progress["error"])
    else:
        messages.success(
            request,
            _("路线已规划：%(n)s 站，%(summary)s。")
            % {
                "n": len(run.route.get("stops", [])),
                "summary": itinerary.route_summary(run.route),
            },
        )
    return redirect("fulfilment:run-detail", pk=run.pk)


@require_POST
@team_required
def run_pin(request, pk):
    """Pin (or unpin) where a home order's address is, for route planning."""
    run = run_or_404(request, pk)
    form = AddressPinForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(reverse("fulfilment:run-detail", args=[run.pk]) + "#home-stops")
    link = get_object_or_404(
        OrderRun.objects.select_related("order__shipping_address"),
        run=run,
        order_id=form.cleaned_data["order"],
        pickup__isnull=True,
    )
    try:
        pin = itinerary.set_pin(
            run,
            link,
            form.cleaned_data["latitude"],
            form.cleaned_data["longitude"],
            actor=request.user,
        )
    except ValueError:
        messages.error(request, _("这个订单没有填写地址，无法定位。"))
    else:
        if pin:
            messages.success(
                request,
                _("已记下 %(address)s 的位置，下次送这个地址也按这里算。重新规划路线后生效。")
                % {"address": pin.address},
            )
        else:
            messages.success(request, _("已清除这个地址的位置。"))
    return redirect(reverse("fulfilment:run-detail", args=[run.pk]) + "#home-stops")


@team_required
def run_supply(request, pk):
    """Each household's promise per product, one small form per row (a phone screen has no
    room for a table), and the full form for a product a household has not supplied yet."""
    run = run_or_404(request, pk)
    form = CommitmentForm(request.POST or None, team=run.team)
    if request.method == "POST":
        if run.status != DeliveryRun.Status.OPEN:
            messages.error(request, _("批次已截单，不能再改供货承诺。"))
        elif form.is_valid():
            supply.set_commitment(
                run,
                form.cleaned_data["household"],
                form.cleaned_data["product"],
                form.cleaned_data["quantity"],
            )
            messages.success(
                request,
                _("已记下：%(household)s %(product)s %(n)s %(unit)s。")
                % {
                    "household": form.cleaned_data["household"].public_name,
                    "product": form.cleaned_data["product"].get_title(),
                    "n": form.cleaned_data["quantity"],
                    "unit": form.cleaned_data["product"].get_unit_display(),
                },
            )
            return redirect("fulfilment:run-supply", pk=run.pk)
    row_posted = bool(request.POST.get("row"))
    if row_posted and form.is_bound and ({"household", "product"} & form.errors.keys()):
        raise Http404  # a row names another team's household or product: as everywhere else
    posted = (request.POST.get("household", ""), request.POST.get("product", ""))
    return render(
        request,
        "fulfilment/run_supply.html",
        {
            "run": run,
            "form": form,
            "sheet": supply.commitment_sheet(run),
            "is_open": run.status == DeliveryRun.Status.OPEN,
            "posted": posted if row_posted else None,
            "waiting": wake.waiting_rows(run),
        },
    )


@team_required
def run_shortfalls(request, pk):
    run = run_or_404(request, pk)
    form = ShortfallForm(request.POST or None, team=run.team)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shortfalls.check(run, data["household"], data["product"], data["quantity"])
            preview = shortfalls.preview(run, [(data["product"], data["quantity"])])
            # What the person saw: the figures and how many shortfalls the run had, so a
            # second send of the same confirmation records nothing.
            preview.seen = f"{run.shortfalls.count()}-{preview.fingerprint}"
            if request.POST.get("confirm") == "1" and request.POST.get("seen") == preview.seen:
                shortfalls.record_shortfall(
                    run,
                    data["household"],
                    data["product"],
                    data["quantity"],
                    actor=request.user,
                    note=data["note"],
                )
                messages.success(request, _("已登记缺货，受影响的订单已调整并通知买家。"))
                return redirect("fulfilment:run-shortfalls", pk=run.pk)
            if request.POST.get("confirm") == "1":
                messages.warning(request, _("情况有变化，请看清新的数字后再确认。"))
        except shortfalls.ShortfallError as error:
            form.add_error(None, str(error))
            preview = None
    rows = run.shortfalls.select_related("household", "product").prefetch_related(
        "cuts__line__order"
    )
    return render(
        request,
        "fulfilment/run_shortfalls.html",
        {"run": run, "form": form, "shortfalls": rows, "preview": preview},
    )
