"""The Celery app: background work on any number of worker machines.

Workers run ``celery -A shop worker`` with the same settings module and
environment as the web servers. With no broker configured (no
``CELERY_BROKER_URL`` and no ``REDIS_URL``) base.py sets
``CELERY_TASK_ALWAYS_EAGER`` and every task runs in-process, so the embedded
default needs no service.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["shop", "content"], related_name="tasks")
