"""The Celery app: background work on any number of worker machines.

Workers run ``celery -A shop worker`` with the same settings module and
environment as the web servers. With no broker configured (no
``CELERY_BROKER_URL`` and no ``REDIS_URL``) base.py sets
``CELERY_TASK_ALWAYS_EAGER`` and every task runs in-process, so the embedded
default needs no service.
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

from shop.core import db_router

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every installed app's ``tasks`` module (shop.core, catalogue, content, fulfilment,
# shop.desk, shop.partner, shop.payment, shop.checkout, …), once Django's apps are loaded.
app.autodiscover_tasks()


# Background tasks read the primary: a task queued on commit must find the rows its
# request wrote, however far the replica lags (issue 17: order e-mails lost through it).
_primary_tokens = {}


@task_prerun.connect
def _pin_primary_for_task(task_id=None, **kwargs):
    # A list: an eager retry runs inside the attempt it repeats, with the same task id.
    _primary_tokens.setdefault(task_id, []).append(db_router.pin_primary())


@task_postrun.connect
def _unpin_primary_after_task(task_id=None, **kwargs):
    tokens = _primary_tokens.get(task_id)
    if tokens:
        db_router.unpin(tokens.pop())
    if not tokens:
        _primary_tokens.pop(task_id, None)
