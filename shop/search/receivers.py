"""Keep search documents in step with products, stock and published stories.

Product writes happen in the same transaction as the change that caused them, so the
index is never ahead of or behind the data it describes. A story's document is written
by the worker after the editor's publish commits (``content.tasks.refresh_story`` sends
``story_refreshed``); unpublishing and deleting drop it here at once.
"""

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_unpublished

from catalogue.models import Household, Product, ProductCategory, Village
from content.models import StoryPage
from content.signals import story_refreshed
from shop.partner.models import Partner, StockRecord
from shop.search import documents


@receiver(post_save, sender=Product)
def product_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        documents.index_product(instance)


@receiver(post_delete, sender=Product)
def product_deleted(sender, instance, **kwargs):
    documents.remove("product", instance.pk)


@receiver(post_save, sender=StockRecord)
@receiver(post_delete, sender=StockRecord)
@receiver(post_save, sender=ProductCategory)
@receiver(post_delete, sender=ProductCategory)
def product_part_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.product_id:
        documents.index_product(instance.product_id)


@receiver(m2m_changed, sender=Product.households.through)
@receiver(m2m_changed, sender=Product.categories.through)
def product_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        documents.index_product(instance)
    elif pk_set:
        for pk in pk_set:
            documents.index_product(pk)


@receiver(post_save, sender=Village)
def village_saved(sender, instance, raw=False, **kwargs):
    cache.delete(documents.PLACE_WORDS_CACHE_KEY)
    if raw:
        return
    for pk in instance.products.values_list("pk", flat=True):
        documents.index_product(pk)


@receiver(post_save, sender=Household)
def household_saved(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        return
    for pk in instance.products.values_list("pk", flat=True):
        documents.index_product(pk)


@receiver(post_save, sender=Partner)
def team_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    for pk in instance.stockrecords.values_list("product_id", flat=True):
        documents.index_product(pk)


@receiver(story_refreshed)
def story_refreshed_by_worker(sender, page_id, **kwargs):
    documents.index_story(page_id)


@receiver(page_unpublished)
def story_unpublished(sender, instance, **kwargs):
    if isinstance(instance, StoryPage):
        documents.remove("story", instance.pk)


@receiver(post_delete)
def story_deleted(sender, instance, **kwargs):
    if isinstance(instance, StoryPage):
        documents.remove("story", instance.pk)
