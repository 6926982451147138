"""What outside the order's life changes a running figure: a product's suppliers, origin
village or weight per unit (the delivered orders with its lines count again), and a
database migrated with orders already in it (the cells are filled once)."""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save

from fulfilment import signals
from shop.figures import running
from shop.figures.models import Cell, Contribution
from shop.order import status


def product_saved(sender, instance, created=False, raw=False, **kwargs):
    # A new product has no delivered orders yet; a saved one counts again only when its
    # village or weight per unit changed (FieldTracker still knows the loaded values here).
    if raw or created or not instance.tracker.changed():
        return
    transaction.on_commit(lambda: running.product_changed(instance.pk))


def suppliers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    Product = apps.get_model("catalogue", "Product")
    if not reverse:
        product_ids = [instance.pk]
    elif pk_set:
        product_ids = sorted(pk_set)
    else:  # a household's products cleared: which ones is no longer known
        product_ids = list(Product.objects.values_list("pk", flat=True))
    for product_id in product_ids:
        running.product_changed(product_id)


def fill_after_migrate(sender, using="default", **kwargs):
    """A database that had orders before the running figures existed gets them filled
    (the same ``rebuild`` the command runs); an empty or filled one is left alone."""
    Order = apps.get_model("order", "Order")
    if Contribution.objects.using(using).exists() or Cell.objects.using(using).exists():
        return
    if Order.objects.using(using).filter(status__in=status.DELIVERED).exists():
        running.rebuild()


def payouts_made(sender, payout_ids, **kwargs):
    running.payouts_made(payout_ids)


def connect():
    Product = apps.get_model("catalogue", "Product")
    signals.payouts_made.connect(payouts_made, dispatch_uid="figures-payouts-made")
    post_save.connect(product_saved, sender=Product, dispatch_uid="figures-product-saved")
    m2m_changed.connect(
        suppliers_changed, sender=Product.households.through, dispatch_uid="figures-suppliers"
    )
