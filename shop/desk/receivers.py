"""Signal handlers of the desk: the audit log.

Audited fields are snapshotted when an instance is loaded (``post_init``, reading
``__dict__`` only, so no query) and compared after saving (``post_save``). A
field that was deferred when loaded is read back in ``pre_save``, one query,
only then. Values written as SQL expressions (``F()``) are skipped: they are
Oscar's own stock allocations, not a person's edit.
"""

from django.apps import apps
from django.db.models import Expression
from django.db.models.signals import post_init, post_save, pre_save

from shop.desk.audit import current_note, current_user

# (app_label, model): (object_type, fields, team attribute or None)
AUDITED = {
    ("partner", "StockRecord"): ("stockrecord", ("price", "num_in_stock"), "partner_id"),
    ("order", "Order"): ("order", ("status",), None),
    ("order", "Line"): ("line", ("status",), "partner_id"),
    ("fulfilment", "DeliveryRun"): (
        "deliveryrun",
        ("status", "date", "cutoff", "capacity_kg"),
        "team_id",
    ),
}
SNAPSHOT = "_desk_audit_snapshot"


def _spec(sender):
    return AUDITED[(sender._meta.app_label, sender._meta.object_name)]


def _snapshot(sender, instance, **kwargs):
    _, fields, _team = _spec(sender)
    values = instance.__dict__
    setattr(instance, SNAPSHOT, {f: values[f] for f in fields if f in values})


def _fill_deferred(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    _, fields, _team = _spec(sender)
    snapshot = getattr(instance, SNAPSHOT, None)
    if snapshot is None:
        snapshot = {}
        setattr(instance, SNAPSHOT, snapshot)
    missing = [f for f in fields if f not in snapshot]
    if missing:
        row = sender._default_manager.filter(pk=instance.pk).values(*missing).first() or {}
        snapshot.update(row)


def _label(instance):
    try:
        return str(instance)[:200]
    except Exception:  # noqa: BLE001  a label is a nicety, never a reason to fail a save
        return ""


def _record(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    object_type, fields, team_attr = _spec(sender)
    before = getattr(instance, SNAPSHOT, None) or {}
    after = {}
    entries = []
    AuditEntry = apps.get_model("desk", "AuditEntry")
    for field in fields:
        new = instance.__dict__.get(field)
        if isinstance(new, Expression):
            continue
        after[field] = new
        if created or field not in before or before[field] == new:
            continue
        entries.append(
            AuditEntry(
                user=current_user(),
                object_type=object_type,
                object_id=str(instance.pk),
                object_label=getattr(instance, "number", None) or _label(instance),
                field=field,
                old="" if before[field] is None else str(before[field]),
                new="" if new is None else str(new),
                note=current_note(),
                team_id=getattr(instance, team_attr) if team_attr else None,
            )
        )
    setattr(instance, SNAPSHOT, after)
    if entries:
        AuditEntry.objects.bulk_create(entries)


def connect():
    for (app_label, model_name), _spec_value in AUDITED.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:  # the delivery app may not have runs yet
            continue
        uid = f"desk-audit-{app_label}.{model_name}"
        post_init.connect(_snapshot, sender=model, dispatch_uid=uid + "-init")
        pre_save.connect(_fill_deferred, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_record, sender=model, dispatch_uid=uid + "-post")
