"""Refunds' background work: asking Stripe again, and paying back what is owed."""

import logging

from celery import shared_task

from fulfilment.models import RefundOwed
from shop.core.tasks import RETRY_ON_MISSING_ROWS
from shop.order import life
from shop.payment import refunds
from shop.payment.models import Refund

logger = logging.getLogger(__name__)


@shared_task(name="shop.tasks.retry_pending_refunds")
def retry_pending_refunds():
    """Ask Stripe again for refunds it could not be reached for; the same idempotency key
    is sent, so a refund that did go through is not paid twice (periodic)."""
    retried = 0
    for refund in Refund.objects.filter(state=Refund.State.PENDING).order_by("pk")[:100]:
        refunds.send(refund)
        retried += 1
    return retried


@shared_task(name="shop.tasks.settle_refunds_owed", **RETRY_ON_MISSING_ROWS)
def settle_refunds_owed(owed_ids):
    """Pay back refunds that a shortfall or a cancelled run left owed to online payers."""
    settled = 0
    for owed in RefundOwed.objects.filter(pk__in=owed_ids, settled_at__isnull=True):
        try:
            life.settle_owed(owed)
        except refunds.PaymentProblem:
            logger.warning(
                "Refund owed %s could not be paid back automatically", owed.pk, exc_info=True
            )
            continue
        settled += 1
    return settled
