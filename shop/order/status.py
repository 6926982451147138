"""The one list of order and line statuses, and how an order's status follows its lines.

Statuses are stored in Chinese exactly as written here (the English catalogue translates
them; pages show them through ``label``). Nothing else in the shop spells a stored status:
import the constant. The order-life module (``shop.order.life``) is the only code that
moves them, following the delivery the same way for buyer and team:

    待付款 (online payment under way)
    待确认 placed → 已确认 run closed → 备货中 being collected → 配送中 on its way
    → 待取货 ready at the pickup point / 派送中 out for delivery → 已交付 handed over
    → 已完成 completed (handed over and nothing left to pay or refund)
    已取消 cancelled

A line fully taken away by a shortfall is 已缺货; one partly cut keeps the order's
status and shows "部分缺货" (``line_label``).

Each work team moves only its own lines (a team never touches another team's eggs), so
the order as a whole shows how far the slowest part has got: when every line shares a
status the order takes it; when they differ, the least advanced one. Cancelled and cut
lines do not hold an order back; only when every line is cancelled is the order cancelled.

This module imports nothing from Django's app registry, so settings read the pipelines
from it.
"""

import copy

from django.utils.html import escape
from django.utils.translation import gettext


# Marks a string for makemessages and returns it unchanged (Django's reads settings).
def _noop(message):
    return message


PENDING_PAYMENT = _noop("待付款")
PLACED = _noop("待确认")
CONFIRMED = _noop("已确认")
COLLECTING = _noop("备货中")
ON_ITS_WAY = _noop("配送中")
READY = _noop("待取货")
OUT_FOR_DELIVERY = _noop("派送中")
HANDED_OVER = _noop("已交付")
COMPLETED = _noop("已完成")
CANCELLED = _noop("已取消")
CUT = _noop("已缺货")  # a line only: every unit was taken away by shortfalls
PARTLY_CUT = _noop("部分缺货")  # shown on a line, never stored

# Least to most advanced; the two last-mile statuses share a rank.
PROGRESS = (
    PENDING_PAYMENT,
    PLACED,
    CONFIRMED,
    COLLECTING,
    ON_ITS_WAY,
    READY,
    OUT_FOR_DELIVERY,
    HANDED_OVER,
    COMPLETED,
)
ORDER_STATUSES = (*PROGRESS, CANCELLED)
LINE_STATUSES = (*ORDER_STATUSES, CUT)
# What a buyer may still cancel online (the run's cut-off decides too).
CANCELLABLE = (PENDING_PAYMENT, PLACED)
# Goods in the buyer's hands: what reports, the impact page and payouts count.
DELIVERED = (HANDED_OVER, COMPLETED)
# The progress line on the buyer's order page, one step per stage.
BUYER_STEPS = (PLACED, CONFIRMED, COLLECTING, ON_ITS_WAY, READY, HANDED_OVER, COMPLETED)

_RANK = {status: index for index, status in enumerate(PROGRESS)}
_RANK[OUT_FOR_DELIVERY] = _RANK[READY]


def rank(status):
    """How far ``status`` is along the delivery (cancelled and cut: -1)."""
    return _RANK.get(status, -1)


def _forward(status):
    later = [s for s in PROGRESS if rank(s) > rank(status)]
    if status != PENDING_PAYMENT:
        later = [s for s in later if s != PENDING_PAYMENT]
    return tuple(later)


# Oscar's pipelines (the dashboard offers these moves): forward along the delivery, or
# cancelled until the goods are handed over.
ORDER_PIPELINE = {
    status: _forward(status) + ((CANCELLED,) if rank(status) < rank(HANDED_OVER) else ())
    for status in PROGRESS
}
ORDER_PIPELINE[CANCELLED] = ()
LINE_PIPELINE = {status: (*moves, CUT) if moves else () for status, moves in ORDER_PIPELINE.items()}
LINE_PIPELINE[CUT] = ()


def label(status):
    """An order or line status as the reader's language says it; anything else as it is."""

    return gettext(status) if status in LINE_STATUSES or status == PARTLY_CUT else status


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
    for status in LINE_STATUSES:
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


def status_from_lines(line_statuses):
    """The order status the given line statuses add up to (``None`` for no lines)."""
    statuses = list(line_statuses)
    if not statuses:
        return None
    active = [s for s in statuses if s not in (CANCELLED, CUT)]
    if not active:
        return CANCELLED if CANCELLED in statuses else None
    return min(active, key=rank)


def nothing_left(line_statuses):
    """True when every line is cancelled or cut: nothing to carry, hand over or collect."""
    return all(s in (CANCELLED, CUT) for s in line_statuses)


def line_label(line, cut_units):
    """What a line's status reads as, given the units shortfalls took from it."""
    if line.status == CUT or (cut_units and cut_units >= line.quantity):
        return label(CUT)
    if cut_units:
        return f"{label(line.status)} · {label(PARTLY_CUT)}"
    return label(line.status)
