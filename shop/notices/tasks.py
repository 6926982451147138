"""Text messages go out from the worker; a provider that fails is asked again later."""

import logging

from celery import shared_task

from shop.notices.channels import SmsError

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, acks_late=True)
def send_notice(self, notice_id):
    from shop.notices import sending

    try:
        return sending.deliver(notice_id)
    except SmsError as error:
        if self.request.is_eager:
            # No worker (no broker): the request that placed the order must not wait for
            # retries; the error stays on the notice.
            logger.warning("Notice %s not sent: %s", notice_id, error)
            return None
        raise self.retry(exc=error, countdown=min(60 * 2**self.request.retries, 3600)) from error
