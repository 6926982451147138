"""The audit log: who changed a price, stock, a run or an order, when, from what to what.

The only module that knows where the log is kept. Entries are django-auditlog's
``LogEntry`` rows: ``register()`` (from the desk's ``ready()``) registers the models and
fields in ``AUDITED`` with auditlog; ``RequestActorMiddleware`` (auditlog's middleware,
without a signal receiver connected on every request) names the acting user (changes
made by commands or tasks have none, shown as 系统). Each entry's ``additional_data``
holds the team the object belongs to (``{"team": id}``, so a team member sees only their
teams' entries) and the person's note typed with the change (``noting``).

What is logged, as before auditlog: edits of existing objects only (not creation or
deletion), and no value written as an SQL expression (``F()``), which is the stock
bookkeeping's arithmetic, not a person's edit. Readers get ``Change`` rows, one per
changed field, from ``entries_for`` + ``changes`` (the audit page) or ``history`` (the
phone product page); nothing else reads ``LogEntry``.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from auditlog.cid import set_cid
from auditlog.context import _set_extra_data, auditlog_value, set_actor
from auditlog.diff import model_instance_diff
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import pre_log
from django.apps import apps
from django.conf import settings
from django.db.models import Expression, Q
from django.db.models.signals import pre_save

from shop.desk.roles import team_ids


@dataclass(frozen=True)
class Audited:
    kind: str  # the name the audit page filters by (``?type=``)
    model: str  # app_label.ModelName
    fields: tuple  # the fields whose edits are logged
    team: str | None  # the attribute holding the owning team's id (None: no one team)


AUDITED = (
    Audited("stockrecord", "partner.StockRecord", ("price", "num_in_stock"), "partner_id"),
    Audited("order", "order.Order", ("status",), None),
    Audited("line", "order.Line", ("status",), "partner_id"),
    Audited(
        "deliveryrun",
        "fulfilment.DeliveryRun",
        ("status", "date", "cutoff", "capacity_kg"),
        "team_id",
    ),
)
NOTE_LENGTH = 200

_note = contextvars.ContextVar("desk_audit_note", default="")


# --- writing ------------------------------------------------------------------------


@contextmanager
def noting(note):
    """Entries written inside carry ``note`` ("鸡蛋涨价"), cut to 200 characters."""
    token = _note.set((note or "")[:NOTE_LENGTH])
    try:
        yield
    finally:
        _note.reset(token)


@contextmanager
def acting_as(user):
    """Entries written inside name ``user``, for work done outside a request."""
    with set_actor(user):
        yield


# The mark of what RequestActorMiddleware puts in auditlog's context for one request, and
# the key under which it keeps how to read the request's actor and address until an entry
# is written (LogEntry has no such field, so auditlog's ``_set_extra_data`` passes over it).
_REQUEST = ("shop.desk.audit", "request")
_PENDING = "shop_desk_pending_actor"


class RequestActorMiddleware(AuditlogMiddleware):
    """auditlog's middleware (the request's user and correlation id on the entries it
    writes), with one receiver connected for good (``register``) instead of one connected
    and disconnected around every request: each connect or disconnect empties Django's
    cache of receivers for every sender, so every model save after it looked them up
    again. The context itself is auditlog's (a context variable per thread), set for the
    request and put back after it.

    Who acted is worked out when the request's first entry is written, not for every
    request: reading it loads the session and the signed-in user, which most requests (a
    guest's pages) never need."""

    def __call__(self, request):
        set_cid(request)
        pending = partial(self.get_extra_data, request)
        token = auditlog_value.set({"signal_duid": _REQUEST, _PENDING: pending})
        try:
            return self.get_response(request)
        finally:
            auditlog_value.reset(token)


def _name_request_actor(sender, instance, **kwargs):
    context = auditlog_value.get(None)
    if context is not None and context.get("signal_duid") == _REQUEST and _PENDING in context:
        context.update(context.pop(_PENDING)())
    _set_extra_data(sender, instance, signal_duid=_REQUEST)


def _spec(model):
    label = model._meta.concrete_model._meta.label
    return next((spec for spec in AUDITED if spec.model == label), None)


def _additional_data(instance):
    """What auditlog stores beside the change (its ``get_additional_data`` hook)."""
    spec = _spec(type(instance))
    data = {}
    if spec.team:
        data["team"] = getattr(instance, spec.team)
    note = _note.get()
    if note:
        data["note"] = note
    return data or None


def _only_edits(sender, instance, action, **kwargs):
    """auditlog's ``pre_log``: ``False`` keeps an entry from being written."""
    spec = _spec(sender)
    if spec is None:
        return None
    if action != LogEntry.Action.UPDATE:
        return False
    computed = [f for f in spec.fields if isinstance(instance.__dict__.get(f), Expression)]
    if not computed:
        return None
    # the computed fields are left out; the fields a person typed are logged alone
    typed = [f for f in spec.fields if f not in computed]
    if not typed:
        return False
    old = sender._default_manager.filter(pk=instance.pk).first()
    diff = model_instance_diff(
        old,
        instance,
        fields_to_check=typed,
        use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES,
    )
    if diff:
        LogEntry.objects.log_create(instance, action=LogEntry.Action.UPDATE, changes=diff)
    return False


def register():
    """Hand the audited models to auditlog (once, from the desk's ``ready()``)."""
    for spec in AUDITED:
        try:
            model = apps.get_model(spec.model)
        except LookupError:  # an app not installed in this configuration
            continue
        model.get_additional_data = _additional_data
        auditlog.register(model, include_fields=list(spec.fields))
    pre_log.connect(_only_edits, dispatch_uid="desk-audit-only-edits")
    pre_save.connect(_name_request_actor, sender=LogEntry, dispatch_uid="desk-audit-request-actor")


# --- reading ------------------------------------------------------------------------


@dataclass
class Change:
    """One changed field of one entry, as the pages show it."""

    when: object
    user: object
    kind: str
    object_id: str
    object_label: str
    team: object
    field: str
    old: str
    new: str
    note: str
    field_label: str = ""  # the field's own name in the reader's language ("单价")
    old_shown: str = ""  # a choice's label ("已送达") where the field has choices
    new_shown: str = ""


def _field_and_choices(kind, field):
    """The model field's verbose name and its choices' labels, for the page."""
    spec = next((spec for spec in AUDITED if spec.kind == kind), None)
    if spec is None:
        return field, {}
    try:
        model_field = apps.get_model(spec.model)._meta.get_field(field)
    except LookupError:
        return field, {}
    choices = {str(value): label for value, label in model_field.flatchoices}
    return str(model_field.verbose_name), choices


def _of_kind(spec):
    """Entries of one audited model, matched by a join (no content-type query of its own)."""
    app_label, model = spec.model.lower().split(".")
    return Q(content_type__app_label=app_label, content_type__model=model)


def _kind_of(entry):
    label = f"{entry.content_type.app_label}.{entry.content_type.model}"
    return next((spec.kind for spec in AUDITED if spec.model.lower() == label), "")


def entries_for(user, kind=None):
    """The entries ``user`` may read, newest first: every entry for staff; for a team
    member, those of their teams' objects and of orders their teams have lines in.
    ``kind`` narrows to one ``AUDITED`` kind; an unknown kind reads nothing."""
    ids = team_ids(user)
    specs = {spec.kind: spec for spec in AUDITED}
    audited = Q()
    for spec in specs.values():
        audited |= _of_kind(spec)
    entries = LogEntry.objects.filter(audited, action=LogEntry.Action.UPDATE)
    if kind:
        if kind not in specs:
            return entries.none()
        entries = entries.filter(_of_kind(specs[kind]))
    if ids is not None:
        Line = apps.get_model("order", "Line")
        orders = Line.objects.filter(partner_id__in=ids).values("order_id")
        entries = entries.filter(
            Q(additional_data__team__in=ids) | (_of_kind(specs["order"]) & Q(object_id__in=orders))
        )
    return entries.select_related("actor", "content_type").order_by("-timestamp", "-pk")


def _text(value):
    return "" if value is None else str(value)


def changes(entries):
    """``Change`` rows of ``entries`` (a page of them), one per field, in the order of
    ``AUDITED``'s fields (entries read with ``actor`` and ``content_type``); one query
    more at most (the teams), whatever the number of entries."""
    entries = list(entries)
    wanted = {(e.additional_data or {}).get("team") for e in entries} - {None}
    Partner = apps.get_model("partner", "Partner")
    teams = Partner.objects.in_bulk(wanted) if wanted else {}
    order = {spec.kind: spec.fields for spec in AUDITED}
    rows = []
    for entry in entries:
        kind = _kind_of(entry)
        extra = entry.additional_data or {}
        diff = entry.changes or {}
        fields = [f for f in order.get(kind, ()) if f in diff]
        fields += [f for f in diff if f not in fields]
        for field in fields:
            old, new = _text(diff[field][0]), _text(diff[field][1])
            label, choices = _field_and_choices(kind, field)
            rows.append(
                Change(
                    when=entry.timestamp,
                    user=entry.actor,
                    kind=kind,
                    object_id=entry.object_pk,
                    object_label=entry.object_repr,
                    team=teams.get(extra.get("team")),
                    field=field,
                    old=old,
                    new=new,
                    note=extra.get("note", ""),
                    field_label=label,
                    old_shown=str(choices.get(old, old)),
                    new_shown=str(choices.get(new, new)),
                )
            )
    return rows


def history(instance, limit=5):
    """The last ``limit`` changed fields of ``instance``, newest first."""
    entries = (
        LogEntry.objects.get_for_object(instance)
        .filter(action=LogEntry.Action.UPDATE)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )
    return changes(entries)[:limit]
