"""Keep derived content data in step: search, product mentions and the impact cache.

An editor's save or publish only writes the page; the slow reactions (search
documents, Wagtail's page index) are queued for the worker once the transaction
commits (``content.tasks``). Cache invalidation is a counter bump and stays here.
"""

from functools import partial

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.images import get_image_model
from wagtail.signals import page_published, page_unpublished

from content import impact, tasks
from content.models import ShopAwarePage, StoryPage
from shop.figures import running


def _later(task, *args):
    transaction.on_commit(partial(task.delay, *args))


def story_published(sender, instance, **kwargs):
    if isinstance(instance, StoryPage):
        _later(tasks.refresh_story, instance.pk)
    impact.invalidate()


def page_saved(sender, instance, raw=False, **kwargs):
    """Our page models opt out of Wagtail's in-request indexing (``search_auto_update``)."""
    if not raw and instance.pk:
        meta = instance._meta
        _later(tasks.update_admin_search, meta.app_label, meta.model_name, instance.pk)


def something_changed(sender, **kwargs):
    impact.invalidate()


def connect():
    page_published.connect(story_published, dispatch_uid="content-story-published")
    page_unpublished.connect(something_changed, dispatch_uid="content-page-unpublished")
    for model in apps.get_app_config("content").get_models():
        if issubclass(model, ShopAwarePage):
            post_save.connect(
                page_saved, sender=model, dispatch_uid=f"content-search-{model.__name__}"
            )
    # The report reads the running figures only: orders and lines retire it when the
    # figures they count for changed (``shop.figures.running.changed``, after the commit).
    running.changed.connect(something_changed, dispatch_uid="impact-figures")
    for label in ("partner.Partner", "catalogue.Village", "catalogue.Household"):
        model = apps.get_model(label)
        uid = model.__name__
        post_save.connect(something_changed, sender=model, dispatch_uid=f"alliance-save-{uid}")
        post_delete.connect(something_changed, sender=model, dispatch_uid=f"alliance-del-{uid}")
    Payout = apps.get_model("fulfilment", "Payout")
    post_save.connect(something_changed, sender=Payout, dispatch_uid="impact-payout-save")
    post_delete.connect(something_changed, sender=Payout, dispatch_uid="impact-payout-del")


def _warm_wagtail_image(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields and "file" not in update_fields):
        return
    _later(tasks.warm_renditions, [instance.pk])


def connect_rendition_warmup():
    """Renditions are made when an image is uploaded (by a worker, or in-process without a
    broker), so no buyer's page view waits for a resize."""
    post_save.connect(_warm_wagtail_image, sender=get_image_model(), dispatch_uid="warm-renditions")
