"""The desk's background work: report files someone asked for on the reports page."""

import logging
import secrets

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from shop.core.tasks import RETRY_ON_MISSING_ROWS
from shop.desk import exports
from shop.desk.models import ReportExport

logger = logging.getLogger(__name__)


@shared_task(name="shop.tasks.export_report", **RETRY_ON_MISSING_ROWS)
def export_report(export_id):
    """Build a report file someone asked for on the reports page and store it for download."""
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
