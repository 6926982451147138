"""Stock's background work (periodic: CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from shop.partner import reservations


@shared_task(name="shop.tasks.release_expired_reservations")
def release_expired_reservations():
    """Stock held for online payments that never completed goes back on sale."""
    return reservations.release_expired()
