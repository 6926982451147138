"""Orders ship inside mainland China only: make CN the one shipping country."""

from django.db import migrations


def add_china(apps, schema_editor):
    Country = apps.get_model("address", "Country")
    Country.objects.update_or_create(
        iso_3166_1_a2="CN",
        defaults={
            "iso_3166_1_a3": "CHN",
            "iso_3166_1_numeric": "156",
            "printable_name": "中国",
            "name": "中华人民共和国",
            "display_order": 1,
            "is_shipping_country": True,
        },
    )
    Country.objects.exclude(iso_3166_1_a2="CN").update(is_shipping_country=False)


class Migration(migrations.Migration):
    dependencies = [
        ("fulfilment", "0001_initial"),
        ("address", "0006_auto_20181115_1953"),
    ]

    operations = [migrations.RunPython(add_china, migrations.RunPython.noop)]
