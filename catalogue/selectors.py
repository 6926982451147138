"""Read-side queries for product listings, shared by shop and Wagtail pages.

Each returns a queryset with everything a product card needs already joined or
prefetched, so a listing costs the same number of queries for 10 or 50 products.
"""

from django.db.models import Prefetch

from catalogue.models import Product, ProductImage
from shop.partner.models import StockRecord


def product_card_queryset():
    return (
        Product.objects.browsable()
        .filter(is_public=True)
        .select_related("origin_village", "product_class", "parent")
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("display_order")),
            Prefetch("stockrecords", queryset=StockRecord.objects.select_related("partner")),
            "categories",
        )
    )


def this_weeks_produce(limit=8):
    """Products with stock, newest first: what the home page shows."""
    return list(
        product_card_queryset()
        .filter(stockrecords__num_in_stock__gt=0)
        .distinct()
        .order_by("-date_created")[:limit]
    )
