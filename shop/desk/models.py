"""The audit log: who changed a price, stock, a run or an order, when, from what to what."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One changed field of one object. ``team`` lets a team see only its own entries.

    Written by ``shop.desk.receivers``; the acting user comes from
    ``shop.desk.audit.current_user`` (set per request by the middleware), so
    changes made by commands or tasks have no user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    when = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=32)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    field = models.CharField(_("字段"), max_length=32)
    old = models.CharField(_("原值"), max_length=200, blank=True)
    new = models.CharField(_("新值"), max_length=200, blank=True)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    team = models.ForeignKey(
        "partner.Partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("工作队"),
    )

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-when", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.object_type}#{self.object_id} {self.field}: {self.old} → {self.new}"


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
