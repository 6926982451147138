"""The standing orders' Celery task (beat: every minute, ``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task


@shared_task(name="shop.standing.tasks.place_due_standing_orders")
def place_due_standing_orders():
    """Place the standing orders of every run whose cut-off is near (``placing``); safe to
    run twice or at once in two workers."""
    from shop.standing import placing

    return placing.place_due()
