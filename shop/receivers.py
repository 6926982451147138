"""Keep the page cache (shop/speed/page_cache.py) honest: anything a buyer can see changes →
new generation; an order's allocations make stale only the pages of the stock it moved.

Connected from ``ShopConfig.ready()``. Models of apps that other parts of the
shop add later (delivery runs, pickup points) are looked up when the app
registry is ready and skipped when they do not exist yet.
"""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

from shop.speed import page_cache

# (app_label, model): saving or deleting one changes some public page.
WATCHED_MODELS = [
    ("catalogue", "Product"),
    ("catalogue", "ProductCategory"),
    ("catalogue", "Category"),
    ("catalogue", "ProductImage"),
    ("catalogue", "ProductAttributeValue"),
    ("catalogue", "Village"),
    ("catalogue", "Household"),
    ("partner", "Partner"),
    ("wagtailcore", "Page"),
    ("wagtailimages", "Image"),
    ("fulfilment", "DeliveryRun"),
    ("fulfilment", "PickupPoint"),
]
STOCK_FIELDS = ("price", "num_in_stock", "num_allocated", "product_id", "partner_id")


def _bump(sender, instance=None, raw=False, **kwargs):
    if not raw:
        page_cache.bump_generation()


def _snapshot_stock(sender, instance, **kwargs):
    # Read __dict__ only: touching a deferred field here would cost a query per row.
    instance._page_cache_stock = tuple(instance.__dict__.get(f) for f in STOCK_FIELDS)


def _stock_saved(sender, instance, created=False, raw=False, **kwargs):
    """Price and stock edits show at once; order allocations within the allocation delay."""
    if raw:
        return
    before = getattr(instance, "_page_cache_stock", None)
    after = tuple(instance.__dict__.get(f) for f in STOCK_FIELDS)
    instance._page_cache_stock = after
    changed = {
        f for f, old, new in zip(STOCK_FIELDS, before or (), after, strict=False) if old != new
    }
    if created or before is None or changed - {"num_allocated"}:
        page_cache.bump_generation()
    elif changed:
        page_cache.note_allocation([instance.pk])


def _page_published(sender, **kwargs):
    page_cache.bump_generation()


def connect_page_cache_invalidation():
    for app_label, model_name in WATCHED_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        uid = f"pagecache-{app_label}.{model_name}"
        post_save.connect(_bump, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_bump, sender=model, dispatch_uid=uid + "-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _bump, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}"
            )

    stock_record = apps.get_model("partner", "StockRecord")
    post_init.connect(_snapshot_stock, sender=stock_record, dispatch_uid="pagecache-stock-init")
    post_save.connect(_stock_saved, sender=stock_record, dispatch_uid="pagecache-stock-save")
    post_delete.connect(_bump, sender=stock_record, dispatch_uid="pagecache-stock-delete")

    # Wagtail sends post_save with the concrete class (StoryPage), not Page.
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_page_published, dispatch_uid="pagecache-page-published")
    page_unpublished.connect(_page_published, dispatch_uid="pagecache-page-unpublished")
    post_page_move.connect(_page_published, dispatch_uid="pagecache-page-moved")


def _warm_wagtail_image(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields and "file" not in update_fields):
        return
    from shop import tasks

    transaction.on_commit(lambda: tasks.warm_renditions.delay([instance.pk]))


def _warm_product_image(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    from shop import tasks

    transaction.on_commit(lambda: tasks.warm_product_images.delay([instance.pk]))


def connect_rendition_warmup():
    """Renditions are made when an image is uploaded (by a worker, or in-process without a
    broker), so no buyer's page view waits for a resize."""
    from wagtail.images import get_image_model

    post_save.connect(_warm_wagtail_image, sender=get_image_model(), dispatch_uid="warm-renditions")
    post_save.connect(
        _warm_product_image,
        sender=apps.get_model("catalogue", "ProductImage"),
        dispatch_uid="warm-product-images",
    )
