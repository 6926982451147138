"""Scheduled stories go live: beat runs Wagtail's scheduled publishing every minute."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from wagtail.models import Revision

from content import tasks
from content.models import StoryPage
from tests.content.conftest import make_story


def _beat_entry(task_name):
    return [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == task_name]


def test_beat_runs_scheduled_publishing_every_minute():
    (entry,) = _beat_entry("content.tasks.publish_scheduled")
    assert entry["schedule"] <= 60


@pytest.mark.django_db
def test_a_story_whose_go_live_time_has_passed_is_published_by_the_task(client, story_index):
    story = make_story(story_index, slug="scheduled", publish=False)
    story.go_live_at = timezone.now() + datetime.timedelta(minutes=5)
    story.save_revision().publish()  # an editor's "publish" with a go-live time: scheduled
    story.refresh_from_db()
    assert not story.live
    assert client.get(story.url).status_code == 404

    # Time passes: the scheduled revision's go-live moment is now behind us.
    past = timezone.now() - datetime.timedelta(seconds=1)
    (revision,) = Revision.page_revisions.filter(
        object_id=str(story.pk), approved_go_live_at__isnull=False
    )
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    StoryPage.objects.filter(pk=story.pk).update(go_live_at=past)
    tasks.publish_scheduled.delay()

    story.refresh_from_db()
    assert story.live
    assert client.get(story.url).status_code == 200
