"""Create the four roles. Permissions of every app are created first (Django does that
only after all migrations), so the groups get their full lists on a fresh database."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    from shop.desk.roles import setup_roles

    setup_roles(apps)


def remove_roles(apps, schema_editor):
    from shop.desk.roles import ROLE_NAMES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0001_audit_entry"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("partner", "0008_partner_contact_name_partner_contact_phone_and_more"),
        ("order", "0021_billingaddress_code_shippingaddress_code"),
        ("catalogue", "0035_search_fulltext_index"),
        ("fulfilment", "0003_delivery_runs_supply_payouts"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
