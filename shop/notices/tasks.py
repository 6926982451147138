"""Text messages go out from the worker; a provider that fails is asked again later."""

import logging

from celery import shared_task
from django.utils import timezone

from shop.notices import channels, texts
from shop.notices.channels import SmsError
from shop.notices.models import Notice

logger = logging.getLogger(__name__)


@shared_task(name="shop.notices.tasks.send_notice", bind=True, max_retries=5, acks_late=True)
def send_notice(self, notice_id):
    try:
        return deliver(notice_id)
    except SmsError as error:
        if self.request.is_eager:
            # No worker (no broker): the request that placed the order must not wait for
            # retries; the error stays on the notice.
            logger.warning("Notice %s not sent: %s", notice_id, error)
            return None
        raise self.retry(exc=error, countdown=min(60 * 2**self.request.retries, 3600)) from error


def deliver(notice_id):
    """Send the notice if it has not gone out; returns the provider's id for it."""
    notice = Notice.objects.filter(pk=notice_id, sent_at__isnull=True).first()
    if notice is None:
        return None
    try:
        provider_id = channels.send_sms(
            notice.phone,
            texts.template_code(notice.kind, notice.language),
            notice.params,
            notice.key,
            text=texts.render(notice.kind, notice.params, notice.language),
        )
    except channels.SmsError as error:
        Notice.objects.filter(pk=notice.pk).update(error=str(error)[:300])
        raise
    Notice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), provider_id=str(provider_id)[:120], error=""
    )
    return provider_id
