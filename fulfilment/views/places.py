"""The team's places and packing: pickup points, home-delivery zones and crate sizes.

Scoped like runs (``fulfilment.access``): a team member sees and edits only their own
team's, another team's is a 404. A point or zone an order went to is never deleted, only
deactivated; deactivated ones are not offered for new runs (``RunForm``) nor at checkout
(``shop.shipping.repository`` reads points and zones from the database on every request,
so an edit shows in the next checkout page without any cache to clear).
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fulfilment.access import team_required, visible_teams
from fulfilment.forms import CratePackingForm, DeliveryZoneForm, PickupPointForm, team_products
from fulfilment.models import (
    CratePacking,
    DeliveryRun,
    DeliveryZone,
    OrderRun,
    PickupPoint,
    RunPickup,
)

KINDS = {
    "point": {
        "model": PickupPoint,
        "form": PickupPointForm,
        "list": "fulfilment:point-list",
        "title": gettext_lazy("自提点"),
        "new": gettext_lazy("新建自提点"),
    },
    "zone": {
        "model": DeliveryZone,
        "form": DeliveryZoneForm,
        "list": "fulfilment:zone-list",
        "title": gettext_lazy("送货上门范围"),
        "new": gettext_lazy("新建送货范围"),
    },
}


def _chosen_team(request, teams):
    """The ?team= filter when it names a visible team; None shows all of them."""
    team_id = request.GET.get("team", "")
    return teams.filter(pk=team_id).first() if team_id.isdigit() else None


def _used_by_orders(obj):
    if isinstance(obj, PickupPoint):
        return OrderRun.objects.filter(pickup__point=obj).count()
    return OrderRun.objects.filter(zone=obj).count()


@team_required
def place_list(request, kind):
    """The points or zones (``kind``) of the teams the user sees, with their open runs."""
    config = KINDS[kind]
    teams = visible_teams(request.user)
    team = _chosen_team(request, teams)
    rows = config["model"].objects.filter(team__in=[team] if team else teams).select_related("team")
    open_runs = Q(runs__status=DeliveryRun.Status.OPEN)
    rows = rows.annotate(open_runs=Count("runs", filter=open_runs, distinct=True)).order_by(
        "team__name", "-is_active", "name"
    )
    return render(
        request,
        f"fulfilment/{kind}_list.html",
        {
            "rows": rows,
            "teams": teams,
            "team": team,
            "several_teams": teams.count() > 1,
            "title": config["title"],
        },
    )


@team_required
def place_edit(request, kind, point_id=None, zone_id=None):
    """A new point or zone (``kind``), or the one with the id in the URL."""
    pk = point_id or zone_id
    config = KINDS[kind]
    teams = visible_teams(request.user)
    obj = get_object_or_404(config["model"], pk=pk, team__in=teams) if pk else None
    form = config["form"](request.POST or None, instance=obj, teams=teams)
    if request.method == "POST" and form.is_valid():
        obj = form.save()
        messages.success(request, _("已保存“%(name)s”。") % {"name": obj.name})
        return redirect(config["list"])
    return render(
        request,
        "fulfilment/place_form.html",
        {
            "form": form,
            "obj": obj,
            "kind": kind,
            "title": obj.name if obj else config["new"],
            "list_url": config["list"],
            "orders": _used_by_orders(obj) if obj else 0,
        },
    )


@require_POST
@team_required
def place_delete(request, kind, point_id=None, zone_id=None):
    """Delete a point or zone no order went to (and the stops of runs at a point)."""
    pk = point_id or zone_id
    config = KINDS[kind]
    obj = get_object_or_404(config["model"], pk=pk, team__in=visible_teams(request.user))
    with transaction.atomic():
        orders = _used_by_orders(obj)
        if orders:
            messages.error(
                request,
                _("“%(name)s”已有 %(n)s 个订单用过，不能删除；可以在修改页取消“启用”来停用。")
                % {"name": obj.name, "n": orders},
            )
            return redirect(f"fulfilment:{kind}-edit", **{f"{kind}_id": obj.pk})
        if isinstance(obj, PickupPoint):
            RunPickup.objects.filter(point=obj).delete()  # stops nobody ordered at
        obj.delete()
    messages.success(request, _("已删除“%(name)s”。") % {"name": obj.name})
    return redirect(config["list"])


@team_required
def crate_list(request):
    """Units per egg crate / bird cage for each of one team's products; a POST sets one."""
    teams = visible_teams(request.user)
    team_id = request.POST.get("team") or request.GET.get("team") or ""
    if team_id and not team_id.isdigit():
        raise Http404
    team = get_object_or_404(teams, pk=team_id) if team_id else teams.order_by("name").first()
    products = team_products(team)
    form = CratePackingForm(request.POST or None, products=products)
    if request.method == "POST":
        if form.is_valid():
            packing = form.save()
            product = form.cleaned_data["product"]
            if packing:
                messages.success(
                    request,
                    _("%(product)s：每箱/笼 %(n)s。")
                    % {"product": product.get_title(), "n": packing.units_per_crate},
                )
            else:
                messages.success(
                    request, _("%(product)s 不再按箱/笼计。") % {"product": product.get_title()}
                )
            return redirect(f"{request.path}?team={team.pk}")
        if "product" in form.errors:
            raise Http404  # another team's product: as with every other team object
    packing = dict(
        CratePacking.objects.filter(product__in=products).values_list(
            "product_id", "units_per_crate"
        )
    )
    rows = [{"product": product, "units": packing.get(product.pk)} for product in products]
    return render(
        request,
        "fulfilment/crate_list.html",
        {
            "rows": rows,
            "team": team,
            "teams": teams,
            "form": form,
            "several_teams": teams.count() > 1,
            "posted_product": request.POST.get("product", ""),
        },
    )
