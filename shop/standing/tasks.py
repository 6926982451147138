"""The standing orders' Celery task (beat: every minute, ``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task

from shop.standing import placing


@shared_task(name="shop.standing.tasks.place_due_standing_orders")
def place_due_standing_orders():
    """Place the standing orders of every run whose cut-off is near (``placing``); safe to
    run twice or at once in two workers."""

    return placing.place_due()
