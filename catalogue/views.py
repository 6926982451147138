"""Catalogue listings that read straight from the database.

Oscar's own browse view goes through a search engine (haystack); this shop's
listings need filters by village, team and stock, which are plain joins. The
product page stays Oscar's.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, F, Min, OuterRef, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from oscar.apps.catalogue.views import ProductDetailView  # noqa: F401  re-exported for Oscar

from catalogue.forms import SORTS, BrowseForm
from catalogue.models import Category, Village
from catalogue.selectors import product_card_queryset
from shop.partner.models import Partner, StockRecord


class CatalogueView(TemplateView):
    template_name = "oscar/catalogue/browse.html"
    per_page = 24
    category = None

    def get(self, request, *args, **kwargs):
        self.form = BrowseForm(request.GET)
        self.form.is_valid()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.form.cleaned_data
        in_stock = StockRecord.objects.filter(
            product=OuterRef("pk"), num_in_stock__gt=Coalesce(F("num_allocated"), Value(0))
        )
        qs = product_card_queryset().annotate(
            min_price=Min("stockrecords__price"),
            popularity=Coalesce("stats__num_purchases", Value(0)),
            has_stock=Exists(in_stock),
        )
        if self.category is not None:
            qs = qs.filter(categories__in=self.category.get_descendants_and_self())
        if data.get("village"):
            qs = qs.filter(origin_village__slug=data["village"])
        if data.get("team"):
            qs = qs.filter(stockrecords__partner__code=data["team"])
        if data.get("in_stock"):
            qs = qs.filter(has_stock=True)
        return qs.order_by(*SORTS[data.get("sort") or "newest"][1]).distinct()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(self.get_queryset(), self.per_page)
        try:
            page = paginator.page(self.request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page = paginator.page(1)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            page_obj=page,
            products=page.object_list,
            form=self.form,
            filter_query=query.urlencode(),
            category=self.category,
            categories=Category.get_root_nodes().filter(is_public=True),
            villages=Village.objects.order_by("name"),
            teams=Partner.objects.order_by("name"),
            sorts=[(key, label) for key, (label, _order) in SORTS.items()],
            summary=self.category.name if self.category else _("全部产品"),
        )
        return context


class ProductCategoryView(CatalogueView):
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"], is_public=True)
        expected = self.category.get_absolute_url()
        if request.path != expected and not request.path.endswith(expected.split("/shop", 1)[-1]):
            return HttpResponsePermanentRedirect(expected)
        return super().get(request, *args, **kwargs)
