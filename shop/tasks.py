"""Background work, run by Celery workers (or in-process when no broker is set).

Each task is a thin wrapper: the work itself lives in the domain modules
(fulfilment for routes, the desk for reports). Wrappers import them when they
run, so a worker process loads only what its tasks need.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import get_connection
from django.db import OperationalError as DatabaseOperationalError
from django.utils import timezone

logger = logging.getLogger(__name__)

# Tasks that read a row their request wrote: they read the primary (shop/celery.py pins it
# for every task), and a row not found yet or a dropped connection is tried again with
# backoff (2, 4, 8... s, at most 6 times) instead of losing the work.
RETRY_ON_MISSING_ROWS = {
    "autoretry_for": (ObjectDoesNotExist, DatabaseOperationalError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 6,
}

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


@shared_task
def warm_product_images(image_ids):
    """The WebP sizes product cards and pages show (sorl-thumbnail), made at upload time."""
    from oscar.core.loading import get_model

    from catalogue.templatetags.product_images import responsive_image

    made = 0
    for image in get_model("catalogue", "ProductImage").objects.filter(pk__in=image_ids):
        if responsive_image(image.original).get("srcset"):
            made += 1
    return made


@shared_task(**RETRY_ON_MISSING_ROWS)
def export_report(export_id):
    """Build a report file someone asked for on the reports page and store it for download."""
    import secrets

    from shop.desk import exports
    from shop.desk.models import ReportExport

    export = ReportExport.objects.using("default").get(pk=export_id)
    if export.status != ReportExport.Status.PENDING:
        return export.file_name
    try:
        filename, content = exports.build_file(export)
        export.file_name = default_storage.save(
            f"reports/{secrets.token_urlsafe(12)}/{filename}", ContentFile(content)
        )
        export.status = ReportExport.Status.DONE
    except Exception:
        logger.exception("Report export %s failed", export.pk)
        export.status = ReportExport.Status.FAILED
    export.finished = timezone.now()
    export.save(update_fields=["file_name", "status", "finished"])
    return export.file_name


@shared_task(time_limit=120, **RETRY_ON_MISSING_ROWS)
def solve_route(run_id):
    """Plan a delivery run's stop order off the request cycle (OR-Tools can take seconds).

    The plan, or why there is none, is stored on the run for its page to show. Returns the planned stop count, or the planner's message when the run cannot be routed.
    """
    from fulfilment import itinerary
    from fulfilment.models import DeliveryRun

    run = DeliveryRun.objects.using("default").select_related("team").get(pk=run_id)
    try:
        return len(itinerary.plan(run).order)
    except itinerary.RoutePlanError as error:
        itinerary.plan_failed(run, error)
        return str(error)


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
def clear_expired_sessions():
    """Sessions live in the database (cached_db); expired ones are deleted once a day."""
    from django.core.management import call_command

    call_command("clearsessions")


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


@shared_task(**RETRY_ON_MISSING_ROWS)
def settle_refunds_owed(owed_ids):
    """Pay back refunds that a shortfall or a cancelled run left owed to online payers."""
    from fulfilment.models import RefundOwed
    from shop.order import life
    from shop.payment import refunds

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
