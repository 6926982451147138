import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("partner", "0008_partner_contact_name_partner_contact_phone_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("when", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="时间")),
                ("object_type", models.CharField(max_length=32, verbose_name="对象类型")),
                ("object_id", models.CharField(max_length=64, verbose_name="对象编号")),
                ("object_label", models.CharField(blank=True, max_length=200, verbose_name="对象")),
                ("field", models.CharField(max_length=32, verbose_name="字段")),
                ("old", models.CharField(blank=True, max_length=200, verbose_name="原值")),
                ("new", models.CharField(blank=True, max_length=200, verbose_name="新值")),
                (
                    "team",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+", to="partner.partner", verbose_name="工作队",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="操作人",
                    ),
                ),
            ],
            options={
                "verbose_name": "操作记录",
                "verbose_name_plural": "操作记录",
                "ordering": ["-when", "-pk"],
                "indexes": [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")],
            },
        ),
    ]
