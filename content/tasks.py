"""Content's background work, done by a Celery worker.

- Wagtail's scheduled publishing: editors set "go live" / "expiry" dates on stories and
  news; Wagtail only acts on them when its ``publish_scheduled`` command runs. Beat queues
  ``publish_scheduled`` every minute (``CELERY_BEAT_SCHEDULE`` in settings), so no cron job
  is needed next to the workers.
- What follows an editor's save or publish: an editor waits for the page and its revision
  to be written, nothing else. The site search document (jieba and pypinyin, seconds when
  their dictionaries are cold), Wagtail's own admin search index and the product mentions
  are brought up to date here, after the transaction commits (``content.receivers``). Each
  task reads the page as it is when it runs, so a late or repeated task is harmless.
- Renditions: the sizes the templates ask for are made when an image is uploaded
  (``content.receivers``), so no page view has to resize.
"""

import io
import logging

from celery import shared_task
from django.apps import apps
from django.core.management import call_command
from modelsearch import index
from wagtail.images import get_image_model

from content.models import StoryPage
from content.selectors import sync_product_mentions
from content.signals import story_refreshed

logger = logging.getLogger(__name__)

# Every rendition the templates ask for (templates/**: {% image ... %}).
RENDITION_SPECS = [
    "fill-600x600|format-jpeg",
    "fill-780x400|format-webp",
    "fill-900x600|format-jpeg",
    "width-780|format-webp",
    "fill-320x200|format-webp",
    "fill-360x270|format-webp",
]


@shared_task(name="content.tasks.publish_scheduled")
def publish_scheduled():
    """Publish pages whose go-live time has passed and unpublish expired ones."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    report = out.getvalue().strip()
    if report:
        logger.info("Scheduled publishing: %s", report)
    return report


@shared_task(name="content.tasks.refresh_story")
def refresh_story(page_id):
    """A story was published: its product mentions follow, then whoever listens to
    ``story_refreshed`` (the site search writes the story's document)."""

    story = StoryPage.objects.filter(pk=page_id).first()
    if story is not None and story.live:
        sync_product_mentions(story)
    story_refreshed.send(sender=StoryPage, page_id=page_id)


@shared_task(name="content.tasks.update_admin_search")
def update_admin_search(app_label, model_name, page_id):
    """Wagtail's page search (the admin's page finder) learns the page's new title and text."""

    page = apps.get_model(app_label, model_name).objects.filter(pk=page_id).first()
    if page is not None:
        index.insert_or_update_object(page)


@shared_task(name="shop.tasks.warm_renditions")
def warm_renditions(image_ids=None, specs=None):
    """Create the stored renditions pages will ask for, so no page view has to resize."""
    images = get_image_model().objects.all()
    if image_ids:
        images = images.filter(pk__in=image_ids)
    made = 0
    for image in images.iterator():
        try:
            made += len(image.get_renditions(*(specs or RENDITION_SPECS)))
        except Exception:  # a missing or broken file must not stop the others
            logger.exception("Could not render image %s", image.pk)
    return made
