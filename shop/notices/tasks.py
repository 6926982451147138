"""Text messages go out from the worker; a provider that fails is asked again later."""

from celery import shared_task

from shop.notices.channels import SmsError


@shared_task(bind=True, max_retries=5, acks_late=True)
def send_notice(self, notice_id):
    from shop.notices import sending

    try:
        return sending.deliver(notice_id)
    except SmsError as error:
        raise self.retry(exc=error, countdown=min(60 * 2**self.request.retries, 3600)) from error
