"""The team's products on a phone: list with search, edit one, add one.

Scoped like the run pages (``fulfilment.access``): a member reaches only their own team's
stock records, anything else is a 404; the coordinator sees every team. The work is in
``fulfilment.products``.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from fulfilment import products
from fulfilment.access import team_required, visible_teams
from fulfilment.models import DeliveryRun
from fulfilment.product_forms import NewProductForm, ProductPhoneForm
from shop.partner import levels

PER_PAGE = 40


def _chosen_team(request, teams):
    team_id = request.GET.get("team", "")
    return teams.filter(pk=team_id).first() if team_id.isdigit() else None


@team_required
def product_list(request):
    teams = visible_teams(request.user)
    team = _chosen_team(request, teams)
    query = request.GET.get("q", "")
    records = products.records([team] if team else teams, query)
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    several = teams.count() > 1
    return render(
        request,
        "fulfilment/product_list.html",
        {
            "rows": products.rows_for(page.object_list),
            "page": page,
            "query": query.strip(),
            "teams": teams,
            "team": team,
            "several_teams": several,
        },
    )


@team_required
def product_edit(request, product_pk):
    teams = visible_teams(request.user)
    team = _chosen_team(request, teams)
    record = products.record_or_none([team] if team else teams, product_pk)
    if record is None:
        raise Http404
    product = record.product
    governed = products.is_governed(record)
    form = ProductPhoneForm(
        request.POST or None,
        request.FILES or None,
        record=record,
        governed=governed,
        unit=product.get_unit_display(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            products.update(
                record,
                product_fields=form.product_fields(),
                price=form.cleaned_data["price"],
                stock=form.stock_change(),
                photo=form.cleaned_data.get("photo"),
                note=form.cleaned_data.get("note", ""),
            )
        except levels.StockError as error:
            form.add_error("stock_amount" if not governed else None, str(error))
        else:
            messages.success(
                request, _("已保存“%(name)s”。") % {"name": form.cleaned_data["title"]}
            )
            return redirect(reverse("fulfilment:product-list") + f"#product-{product.pk}")
    return render(
        request,
        "fulfilment/product_form.html",
        {
            "form": form,
            "record": record,
            "product": product,
            "governed": governed,
            "held": record.num_allocated or 0,
            "changes": products.recent_changes(record),
            "open_runs": DeliveryRun.objects.filter(
                team=record.partner_id, status=DeliveryRun.Status.OPEN
            ).order_by("date", "departure_time")[:5]
            if governed
            else [],
        },
    )


@team_required
def product_create(request):
    teams = visible_teams(request.user)
    team = _chosen_team(request, teams) or teams.order_by("name").first()
    form = NewProductForm(request.POST or None, request.FILES or None, team=team)
    if request.method == "POST" and form.is_valid():
        product = products.create(
            team,
            fields=form.product_fields(),
            category=form.cleaned_data["category"],
            households=form.cleaned_data["households"],
            price=form.cleaned_data["price"],
            stock=form.cleaned_data["stock_amount"],
            photo=form.cleaned_data.get("photo"),
        )
        messages.success(request, _("已添加“%(name)s”。") % {"name": product.title})
        return redirect(reverse("fulfilment:product-list") + f"#product-{product.pk}")
    return render(
        request,
        "fulfilment/product_form.html",
        {"form": form, "team": team, "several_teams": teams.count() > 1, "teams": teams},
    )
