"""Keep the page cache (shop/speed/page_cache.py) honest: anything a buyer can see changes →
new generation; an order's allocations make stale only the pages of the stock it moved.
Delivery runs are not here: a run's change makes stale only the pages showing runs
(``fulfilment/receivers.py``, ``page_cache.note_runs_changed``).

Connected from ``CoreConfig.ready()`` (shop/core/apps.py). The watched models are looked
up by label when the app registry is ready, so this bottom layer imports no app; a model
whose app is not installed is skipped.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

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
    page_published.connect(_page_published, dispatch_uid="pagecache-page-published")
    page_unpublished.connect(_page_published, dispatch_uid="pagecache-page-unpublished")
    post_page_move.connect(_page_published, dispatch_uid="pagecache-page-moved")
