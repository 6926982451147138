"""StockReservation joins the partner app from the payment app (payment migration 0010).

The model keeps its table ``payment_stockreservation``, columns and index, so nothing in
the database changes and no row moves; only Django's record of the model is added here.
Its content type follows it, so permissions given on it are kept.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor, source="payment", target="partner"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label=target, model="stockreservation").exists():
        return
    ContentType.objects.using(db).filter(app_label=source, model="stockreservation").update(
        app_label=target
    )


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="partner", target="payment")


class Migration(migrations.Migration):
    dependencies = [
        ("basket", "0012_line_code"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("order", "0021_billingaddress_code_shippingaddress_code"),
        ("partner", "0009_listing_indexes"),
        ("payment", "0010_fsplit_stockreservation_to_partner"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StockReservation",
                    fields=[
                        (
                            "id",
                            models.AutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("quantity", models.PositiveIntegerField()),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("held", "保留中"),
                                    ("converted", "已成交"),
                                    ("released", "已释放"),
                                ],
                                default="held",
                                max_length=10,
                            ),
                        ),
                        ("created", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField(db_index=True)),
                        ("settled_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "basket",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="basket.basket",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="stock_reservations",
                                to="order.order",
                            ),
                        ),
                        (
                            "stockrecord",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reservations",
                                to="partner.stockrecord",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "库存保留",
                        "verbose_name_plural": "库存保留",
                        "db_table": "payment_stockreservation",
                        "indexes": [
                            models.Index(
                                fields=["state", "expires_at"], name="payment_sto_state_ff0458_idx"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
