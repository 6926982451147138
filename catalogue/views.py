"""Catalogue listings that read straight from the database.

Oscar's own browse view goes through a search engine (haystack); this shop's
listings need filters by village, team and stock, which are plain joins. The
product page stays Oscar's.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, cache_page
from django.views.generic import TemplateView
from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView

from catalogue import selectors, share, stories
from catalogue.forms import SORTS, BrowseForm
from catalogue.models import Category, Product, ProductCategory, Village
from catalogue.selectors import product_card_queryset
from catalogue.templatetags.shop_tags import price_per_unit
from shop.core.qr import qr_png
from shop.partner.models import Partner, StockRecord


def paginate(request, queryset, per_page):
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        return paginator.page(1)


class ProductDetailView(OscarProductDetailView):
    """Oscar's product page plus where the food comes from and how to share it."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product = self.object
        records = list(product.stockrecords.select_related("partner"))
        # How much is left (下一趟配送还剩) is a live part (catalogue.live): an order that
        # leaves some for sale does not make the page stale, only one that sells it out
        # (the on-sale tag, named by the pricing strategy).
        context.update(
            images=list(product.get_all_images()),
            households=selectors.households_for_product(product),
            teams=sorted({record.partner for record in records}, key=str),
            stories=stories.about(product=product),
            share_url=share.short_url(product),
            # The content app's include wins when it exists; ours is the fallback.
            story_templates=["includes/product_stories.html", "catalogue/product_stories.html"],
        )
        return context


class TeamDetailView(TemplateView):
    """A work team's public page: who they are, their villages, products and stories."""

    template_name = "catalogue/team_detail.html"
    per_page = 24

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slug = kwargs["slug"]
        team = get_object_or_404(Partner, Q(slug=slug) | Q(code=slug))
        page = paginate(self.request, selectors.products_of_team(team), self.per_page)
        context.update(
            team=team,
            villages=selectors.team_villages(team),
            page_obj=page,
            products=page.object_list,
            stories=stories.about(team=team),
        )
        return context


class VillageDetailView(TemplateView):
    template_name = "catalogue/village_detail.html"
    per_page = 24

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        village = get_object_or_404(Village, slug=kwargs["slug"])
        page = paginate(self.request, selectors.products_of_village(village), self.per_page)
        context.update(
            village=village,
            teams=list(village.teams.order_by("name")),
            households=selectors.village_households(village),
            page_obj=page,
            products=page.object_list,
            stories=stories.about(village=village),
        )
        return context


@cache_control(public=True, max_age=86400)
@cache_page(86400)
def product_qr(request, pk):
    """A QR code of the product page's address, for printing at the market stall."""
    product = get_object_or_404(Product, pk=pk, is_public=True)
    png = qr_png(share.short_url(product))
    return HttpResponse(png, content_type="image/png")


def short_link(request, code):
    """``/p/<code>``: the short link shared in chats, on to the product page in the
    link's language."""
    pk = share.product_id(code)
    product = get_object_or_404(Product, pk=pk, is_public=True) if pk else None
    if product is None:
        raise Http404(_("这个链接不对，找不到这件产品。"))
    return HttpResponsePermanentRedirect(product.get_absolute_url())


@cache_control(public=True, max_age=3600)
def product_share_card(request, pk):
    """The product's share card, a JPEG (``catalogue.share``): what og:image names, what
    WeChat shows for a shared link, and what a buyer saves to send on."""
    product = get_object_or_404(Product, pk=pk, is_public=True)
    info = request.strategy.fetch_for_product(product)
    price = price_per_unit(info.price, product)
    drawn = f"{product.pk}:{product.date_updated.timestamp()}:{price}"
    key = f"share-card:{hashlib.sha1(drawn.encode()).hexdigest()}"
    jpeg = cache.get(key)
    if jpeg is None:
        jpeg = share.share_card(product, price, str(settings.OSCAR_SHOP_NAME))
        cache.set(key, jpeg, 86400)
    return HttpResponse(jpeg, content_type="image/jpeg")


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
        # Subqueries, not joins: no GROUP BY or DISTINCT over the whole catalogue. The
        # sorts read figures stored on the product (``catalogue.sort_figures``), so the
        # database walks one index and stops after the page.
        qs = product_card_queryset().annotate(has_stock=Exists(in_stock))
        if self.category is not None:
            in_category = ProductCategory.objects.filter(
                product=OuterRef("pk"), category__in=self.category.get_descendants_and_self()
            )
            qs = qs.filter(Exists(in_category))
        if data.get("village"):
            qs = qs.filter(origin_village__slug=data["village"])
        if data.get("team"):
            qs = qs.filter(
                Exists(
                    StockRecord.objects.filter(product=OuterRef("pk"), partner__code=data["team"])
                )
            )
        if data.get("in_stock"):
            qs = qs.filter(has_stock=True)
        return qs.order_by(*SORTS[data.get("sort") or "newest"][1])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = paginate(self.request, self.get_queryset(), self.per_page)
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
            summary=self.category.shown_name if self.category else _("全部产品"),
        )
        return context


class ProductCategoryView(CatalogueView):
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"], is_public=True)
        expected = self.category.get_absolute_url()
        if request.path != expected:
            return HttpResponsePermanentRedirect(expected)
        return super().get(request, *args, **kwargs)
