"""The waitlist's background work: telling waiting buyers a product is back."""

from celery import shared_task

from shop.core.tasks import RETRY_ON_MISSING_ROWS


@shared_task(name="shop.waitlist.tasks.tell_waiting_buyers", **RETRY_ON_MISSING_ROWS)
def tell_waiting_buyers(product_ids):
    """Stock appeared for ``product_ids`` (a new supply commitment, a cancelled or smaller
    order): tell the buyers waiting for them, first come first told, once each. Returns
    how many were told."""
    from shop.waitlist import wake

    return wake.tell_waiting(product_ids)
