"""The site search takes over ``SearchDocument`` from the catalogue, table and rows as
they are (``catalogue.0040`` lets it go). On a new database ``catalogue.0034``/``0035``
still create the table and its full-text index first."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("catalogue", "0040_search_document_moves_to_search_app")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchDocument",
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
                        (
                            "kind",
                            models.CharField(
                                choices=[("product", "产品"), ("story", "故事")], max_length=8
                            ),
                        ),
                        ("object_id", models.PositiveIntegerField()),
                        ("title", models.CharField(max_length=255)),
                        (
                            "text",
                            models.TextField(
                                blank=True, help_text="plain text shown in result snippets"
                            ),
                        ),
                        ("url", models.CharField(blank=True, max_length=255)),
                        ("title_tokens", models.TextField(blank=True)),
                        ("body_tokens", models.TextField(blank=True)),
                        ("in_stock", models.BooleanField(default=False)),
                        ("updated", models.DateTimeField(auto_now=True)),
                        (
                            "village",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="catalogue.village",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "catalogue_searchdocument",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("kind", "object_id"), name="search_document_unique_object"
                            )
                        ],
                    },
                )
            ],
            database_operations=[],
        )
    ]
