"""Read-side queries for product listings, shared by shop and Wagtail pages.

Each returns a queryset with everything a product card needs already joined or
prefetched, so a listing costs the same number of queries for 10 or 50 products.
"""

from django.db.models import Exists, OuterRef, Prefetch

from catalogue.models import Household, Product, ProductImage, Village
from shop.partner.models import StockRecord


def priced_product_queryset():
    """Public products with what their price and stock read, in two queries: the
    village and the class (whether stock is counted) joined, the stock records
    prefetched. A search hit shows this much; a card adds its photo
    (``product_card_queryset``).

    No parent is joined: ``browsable()`` keeps only products without one.
    """
    return (
        Product.objects.browsable()
        .select_related("origin_village", "product_class")
        .prefetch_related("stockrecords")
    )


def product_card_queryset():
    return priced_product_queryset().prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.order_by("display_order")),
        "categories",
    )


def this_weeks_produce(limit=8):
    """Products with stock, newest first: what the home page shows.

    ``EXISTS``, not a join and ``DISTINCT``: PostgreSQL walks the products newest first
    (``product_public_newest``) and stops after ``limit``, probing each one's stock by
    ``stock_product_level``, instead of sorting every in-stock product's whole row.
    """
    in_stock = StockRecord.objects.filter(product=OuterRef("pk"), num_in_stock__gt=0)
    return list(product_card_queryset().filter(Exists(in_stock)).order_by("-date_created")[:limit])


def public_households(queryset):
    """Households as public pages may show them: agreed names only, never private fields.

    ``only()`` keeps real names and phone numbers out of the loaded objects, so
    no template can print them by mistake.
    """
    return queryset.select_related("village").only(
        "pk",
        "public_name",
        "consent_name",
        "consent_photo",
        "photo",
        "produces",
        "status",
        "village",
        "village__name",
        "village__slug",
    )


def households_for_product(product):
    return list(public_households(product.households.all()).order_by("pk"))


def products_of_team(team):
    return (
        product_card_queryset()
        .filter(stockrecords__partner=team)
        .distinct()
        .order_by("-date_created", "-pk")
    )


def products_of_village(village):
    return product_card_queryset().filter(origin_village=village).order_by("-date_created", "-pk")


def team_villages(team):
    return list(Village.objects.filter(teams=team).order_by("name"))


def village_households(village):
    return list(public_households(Household.objects.filter(village=village)).order_by("pk"))
