"""Keep derived content data in step: product mentions on publish, impact cache on change."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from content import impact
from content.selectors import sync_product_mentions


def story_published(sender, instance, **kwargs):
    from content.models import StoryPage

    if isinstance(instance, StoryPage):
        sync_product_mentions(instance)
    impact.invalidate()


def something_changed(sender, **kwargs):
    impact.invalidate()


def connect():
    page_published.connect(story_published, dispatch_uid="content-story-published")
    page_unpublished.connect(something_changed, dispatch_uid="content-page-unpublished")
    Order = apps.get_model("order", "Order")
    Line = apps.get_model("order", "Line")
    Product = apps.get_model("catalogue", "Product")
    for model in (Order, Line):
        post_save.connect(
            something_changed, sender=model, dispatch_uid=f"impact-save-{model.__name__}"
        )
        post_delete.connect(
            something_changed, sender=model, dispatch_uid=f"impact-del-{model.__name__}"
        )
    m2m_changed.connect(
        something_changed, sender=Product.households.through, dispatch_uid="impact-suppliers"
    )
    try:
        Payout = apps.get_model("fulfilment", "Payout")
    except LookupError:
        return
    post_save.connect(something_changed, sender=Payout, dispatch_uid="impact-payout-save")
    post_delete.connect(something_changed, sender=Payout, dispatch_uid="impact-payout-del")
