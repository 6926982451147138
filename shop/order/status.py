"""An order's overall status follows its lines.

Each work team moves only its own lines (a team never touches another team's
eggs), so the order as a whole shows how far the slowest part has got: when
every line shares a status the order takes it; when they differ, the least
advanced one. Cancelled lines do not hold an order back; only when every line
is cancelled is the order cancelled. ``shop.desk.receivers`` calls
``sync_order_status`` whenever a line changes status.
"""

import copy

from django.conf import settings
from django.db import transaction
from django.utils.html import escape
from django.utils.translation import gettext

CANCELLED = "已取消"


def label(status):
    """An order or line status as the reader's language says it.

    The database keeps the Chinese status of the pipelines in settings (gettext_noop
    there puts them in the English catalogue); anything else is shown as it is.
    """
    known = (settings.OSCAR_ORDER_STATUS_PIPELINE, settings.OSCAR_LINE_STATUS_PIPELINE)
    return gettext(status) if any(status in pipeline for pipeline in known) else status


class StatusText(str):
    """A stored status that stays itself for comparisons, links, form values and saving,
    but prints in the reader's language where a template renders it (autoescaped HTML)."""

    def __html__(self):
        return escape(label(str(self)))


def texts(statuses):
    """Statuses for a select whose options post the text they show (Oscar's)."""
    return [StatusText(status) for status in statuses]


def stored(value):
    """The stored status a posted value names: the status itself, or its label in the
    reader's language (what ``texts`` options post). Anything else comes back unchanged,
    for Oscar to refuse."""
    for status in settings.OSCAR_LINE_STATUS_PIPELINE:
        if value in (status, label(status)):
            return status
    return value


STATUS_FIELDS = ("status", "old_status", "new_status")


def in_reader_language(obj):
    """A display-only copy of an order, line or status change (or a list of them) whose
    status prints translated: for Oscar's templates that print ``order.status`` inside
    blocks too big to override. Everything else about the copy is the original."""
    if obj is None or isinstance(obj, str):
        return obj
    if not hasattr(obj, "_meta"):
        return [in_reader_language(item) for item in obj]
    shown = copy.copy(obj)
    for field in STATUS_FIELDS:
        value = shown.__dict__.get(field)
        if isinstance(value, str):
            shown.__dict__[field] = StatusText(value)
    return shown


def progress_order():
    """Statuses from least to most advanced, as the pipeline lists them (cancelled last)."""
    statuses = [s for s in settings.OSCAR_LINE_STATUS_PIPELINE if s != CANCELLED]
    return statuses + [CANCELLED]


def status_from_lines(line_statuses):
    """The order status the given line statuses add up to (``None`` for no lines)."""
    statuses = list(line_statuses)
    if not statuses:
        return None
    active = [s for s in statuses if s != CANCELLED]
    if not active:
        return CANCELLED
    rank = {status: index for index, status in enumerate(progress_order())}
    return min(active, key=lambda s: rank.get(s, -1))


def sync_order_status(order):
    """Set ``order.status`` from its lines, recording the change like Oscar does.

    Bypasses the order pipeline on purpose: the lines already went through the
    line pipeline, and the order only mirrors them. Returns the new status when it
    changed, else ``None``.
    """
    new_status = status_from_lines(order.lines.values_list("status", flat=True))
    if new_status is None or new_status == order.status:
        return None
    old_status = order.status
    with transaction.atomic():
        order.status = new_status
        order.save(update_fields=["status"])
        order.status_changes.create(old_status=old_status, new_status=new_status)
    return new_status
