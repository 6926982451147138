"""The desk's own tables: report files built by a worker. (The audit log is
django-auditlog's ``LogEntry``, read and written through ``shop.desk.audit``.)"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportExport(models.Model):
    """A report file built by a background worker (``shop.desk.tasks.export_report``).

    The team asks for it on the reports page; the scope (which teams, which dates) is
    fixed when asked, from what the asker may see, so a worker never decides access.
    The file sits in the default storage (object storage in production) and is only
    handed out by the desk's download view, to the person who asked for it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel"
        CSV = "csv", "CSV"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    report = models.CharField(_("报表"), max_length=16)
    fmt = models.CharField(_("格式"), max_length=4, choices=Format.choices)
    team_ids = models.JSONField(null=True, blank=True, help_text="None = every team")
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    file_name = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("报表导出")
        verbose_name_plural = _("报表导出")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.report}.{self.fmt} ({self.status})"
