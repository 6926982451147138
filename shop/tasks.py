"""Background work, run by Celery workers (or in-process when no broker is set).

Each task is a thin wrapper: the work itself lives in the domain modules
(fulfilment for routes, the dashboard for reports). Wrappers look those up
when they run, so a worker never imports more than the task needs and a
missing optional module gives a clear error instead of a broken import.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import get_connection
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Every rendition the templates ask for (templates/**: {% image ... %}).
RENDITION_SPECS = [
    "fill-600x600|format-jpeg",
    "fill-780x400|format-webp",
    "fill-900x600|format-jpeg",
    "width-780|format-webp",
    "fill-320x200|format-webp",
    "fill-360x270|format-webp",
]


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_email(self, data):
    from shop.mail import data_to_message

    backend = getattr(
        settings, "QUEUED_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
    )
    with get_connection(backend) as connection:
        return data_to_message(data, connection=connection).send()


@shared_task
def warm_renditions(image_ids=None, specs=None):
    """Create the stored renditions pages will ask for, so no page view has to resize."""
    from wagtail.images import get_image_model

    images = get_image_model().objects.all()
    if image_ids:
        images = images.filter(pk__in=image_ids)
    made = 0
    for image in images.iterator():
        try:
            made += len(image.get_renditions(*(specs or RENDITION_SPECS)))
        except Exception:  # a missing or broken file must not stop the others
            logger.exception("Could not render image %s", image.pk)
    return made


# Report name → function(**params) returning (filename, bytes). Other apps add theirs.
REPORT_EXPORTERS = {
    "orders": "shop.dashboard.reports.export_orders",
    "impact": "content.impact.export_totals",
    "payouts": "fulfilment.payouts.export_payouts",
}


@shared_task
def export_report(name, **params):
    """Build a report file in the background and store it (object storage in production)."""
    exporter = import_string(REPORT_EXPORTERS[name])
    filename, content = exporter(**params)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return default_storage.save(f"reports/{stamp}-{filename}", ContentFile(content))


ROUTE_SOLVERS = ["fulfilment.runs.solve_route", "fulfilment.routing.solve_run"]


@shared_task(time_limit=120)
def solve_route(run_id, **options):
    """Plan a delivery run's stop order off the request cycle (OR-Tools can take seconds)."""
    for path in ROUTE_SOLVERS:
        try:
            solver = import_string(path)
        except ImportError:
            continue
        return solver(run_id, **options)
    raise LookupError("No route solver installed; expected one of " + ", ".join(ROUTE_SOLVERS))


# --- periodic jobs (CELERY_BEAT_SCHEDULE in settings; `celery -A shop beat`) ---------


@shared_task
def release_expired_reservations():
    """Stock held for online payments that never completed goes back on sale."""
    from shop.partner import reservations

    return reservations.release_expired()


@shared_task
def close_due_runs():
    """Runs whose order cut-off has passed stop taking orders and share out their sales."""
    from fulfilment import runs

    return runs.close_due_runs()


@shared_task
def retry_pending_refunds():
    """Ask Stripe again for refunds it could not be reached for; the same idempotency key
    is sent, so a refund that did go through is not paid twice."""
    from shop.payment import refunds
    from shop.payment.models import Refund

    retried = 0
    for refund in Refund.objects.filter(state=Refund.State.PENDING).order_by("pk")[:100]:
        refunds.send(refund)
        retried += 1
    return retried


@shared_task
def settle_refunds_owed(owed_ids):
    """Pay back refunds that a shortfall or a cancelled run left owed to online payers."""
    from fulfilment.models import RefundOwed
    from shop.payment import refunds

    settled = 0
    for owed in RefundOwed.objects.filter(pk__in=owed_ids, settled_at__isnull=True):
        try:
            refunds.settle_owed(owed)
        except refunds.PaymentProblem:
            logger.warning("Refund owed %s could not be paid back automatically", owed.pk, exc_info=True)
            continue
        settled += 1
    return settled
