"""The running figures gain the institution cells and feed the catalogue's "most popular"
figure: a database with figures already kept has them emptied here, and the figures
app's ``post_migrate`` receiver (``fill_after_migrate``) computes them all again from the
records, products' units handed over included, at the end of the same ``migrate``."""

from django.db import migrations


def empty(apps, schema_editor):
    apps.get_model("figures", "Cell").objects.all().delete()
    apps.get_model("figures", "Contribution").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0001_figures_initial"),
        ("catalogue", "0041_sorts_sort_figures"),
    ]

    operations = [migrations.RunPython(empty, migrations.RunPython.noop)]
