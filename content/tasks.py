"""Content's background work: Wagtail's scheduled publishing, run by Celery beat.

Editors set "go live" / "expiry" dates on stories and news; Wagtail only acts on them when
its ``publish_scheduled`` command runs. Beat queues this task every minute
(``CELERY_BEAT_SCHEDULE`` in settings), so no cron job is needed next to the workers.
"""

import io
import logging

from celery import shared_task
from django.core.management import call_command

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
