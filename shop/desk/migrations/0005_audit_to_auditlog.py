"""The audit log moves to django-auditlog (issue 20): every AuditEntry row becomes one
LogEntry (an update of its object, with the one field it recorded), keeping the time, the
person, the object's label, the team and the note; coordinators may read the new log;
then the AuditEntry table goes.

One LogEntry per row, not per save: the old rows of one save carry times a few
microseconds apart and nothing else that joins them, so grouping them would be a guess.
"""

from django.db import migrations

# AuditEntry.object_type -> the audited model (as in shop.desk.audit.AUDITED)
MODELS = {
    "stockrecord": ("partner", "stockrecord"),
    "order": ("order", "order"),
    "line": ("order", "line"),
    "deliveryrun": ("fulfilment", "deliveryrun"),
}
UPDATE = 1  # auditlog's LogEntry.Action.UPDATE


def copy_entries(apps, schema_editor):
    AuditEntry = apps.get_model("desk", "AuditEntry")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not AuditEntry.objects.exists():
        return
    types = {
        kind: ContentType.objects.get_or_create(app_label=app_label, model=model)[0]
        for kind, (app_label, model) in MODELS.items()
    }
    batch = []
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        content_type = types.get(entry.object_type)
        if content_type is None:  # not a kind the shop ever audited
            continue
        extra = {}
        if entry.team_id is not None:
            extra["team"] = entry.team_id
        if entry.note:
            extra["note"] = entry.note
        batch.append(
            LogEntry(
                content_type=content_type,
                object_pk=entry.object_id,
                object_id=int(entry.object_id) if entry.object_id.isdigit() else None,
                object_repr=entry.object_label or entry.object_id,
                action=UPDATE,
                changes={entry.field: [entry.old, entry.new]},
                actor_id=entry.user_id,
                timestamp=entry.when,
                additional_data=extra or None,
            )
        )
        if len(batch) >= 2000:
            LogEntry.objects.bulk_create(batch)
            batch = []
    LogEntry.objects.bulk_create(batch)


def let_coordinators_read(apps, schema_editor):
    """The coordinator role reads the new log (``shop.desk.roles.COORDINATOR_EXTRA``).
    auditlog's permissions are made here: Django makes them only after all migrations."""
    from django.contrib.auth.management import create_permissions

    from shop.desk.roles import COORDINATOR

    app_config = apps.get_app_config("auditlog")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="auditlog", codename="view_logentry"
    )
    for group in Group.objects.filter(name=COORDINATOR):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0004_h_stock_audit_note"),
        ("auditlog", "0017_add_actor_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_entries, migrations.RunPython.noop),
        migrations.RunPython(let_coordinators_read, migrations.RunPython.noop),
        migrations.DeleteModel(name="AuditEntry"),
    ]
