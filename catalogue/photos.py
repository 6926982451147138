"""Product photos: the sizes cards and pages show are made when a photo is saved (by a
worker, or in-process without a broker), so no buyer's page view waits for a resize."""

from django.db import transaction
from django.db.models.signals import post_save

from catalogue import tasks
from catalogue.models import ProductImage


def _warm_product_image(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    transaction.on_commit(lambda: tasks.warm_product_images.delay([instance.pk]))


def connect():
    post_save.connect(_warm_product_image, sender=ProductImage, dispatch_uid="warm-product-images")
