"""The 521 farm shop project; loads the Celery app so tasks find their broker."""

from shop.celery import app as celery_app

__all__ = ["celery_app"]
