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
"""

import io
import logging

from celery import shared_task
from django.core.management import call_command

from content.signals import story_refreshed

logger = logging.getLogger(__name__)


@shared_task
def publish_scheduled():
    """Publish pages whose go-live time has passed and unpublish expired ones."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    report = out.getvalue().strip()
    if report:
        logger.info("Scheduled publishing: %s", report)
    return report


@shared_task
def refresh_story(page_id):
    """A story was published: its product mentions follow, then whoever listens to
    ``story_refreshed`` (the site search writes the story's document)."""
    from content.models import StoryPage
    from content.selectors import sync_product_mentions

    story = StoryPage.objects.filter(pk=page_id).first()
    if story is not None and story.live:
        sync_product_mentions(story)
    story_refreshed.send(sender=StoryPage, page_id=page_id)


@shared_task
def update_admin_search(app_label, model_name, page_id):
    """Wagtail's page search (the admin's page finder) learns the page's new title and text."""
    from django.apps import apps
    from modelsearch import index

    page = apps.get_model(app_label, model_name).objects.filter(pk=page_id).first()
    if page is not None:
        index.insert_or_update_object(page)
