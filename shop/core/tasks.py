"""Background work every app shares: the retry rule for tasks that read a request's rows,
the queued e-mail, and the daily session sweep.

Each app keeps its own tasks in its ``tasks.py`` (found by Celery's autodiscovery over
``INSTALLED_APPS``, shop/celery.py). Tasks that used to live in ``shop/tasks.py`` keep
their old dotted name (``name="shop.tasks.…"``): messages already queued and the beat
schedule name them so, and a deploy must not orphan them.
"""

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist
from django.core.management import call_command
from django.db import OperationalError as DatabaseOperationalError

from shop.core.mail import send_email  # noqa: F401  the queued e-mail, kept beside its backend

# Tasks that read a row their request wrote: they read the primary (shop/celery.py pins it
# for every task), and a row not found yet or a dropped connection is tried again with
# backoff (2, 4, 8... s, at most 6 times) instead of losing the work.
RETRY_ON_MISSING_ROWS = {
    "autoretry_for": (ObjectDoesNotExist, DatabaseOperationalError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 6,
}


@shared_task(name="shop.tasks.clear_expired_sessions")
def clear_expired_sessions():
    """Sessions live in the database (cached_db); expired ones are deleted once a day."""
    call_command("clearsessions")
