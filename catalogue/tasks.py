"""The catalogue's background work: product photo sizes made at upload time."""

from celery import shared_task

from catalogue.models import ProductImage
from catalogue.templatetags.product_images import responsive_image


@shared_task(name="shop.tasks.warm_product_images")
def warm_product_images(image_ids):
    """The WebP sizes product cards and pages show (sorl-thumbnail), made at upload time."""
    made = 0
    for image in ProductImage.objects.filter(pk__in=image_ids):
        if responsive_image(image.original).get("srcset"):
            made += 1
    return made
