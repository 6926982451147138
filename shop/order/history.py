"""An order's story as the buyer and the teams read it: every status change, payment
and refund is an Oscar ``OrderStatusChange``/``PaymentEvent`` plus an ``OrderNote``
naming who did it (Oscar's payment events have no user field, the note carries it).
"""

from django.utils.translation import gettext, gettext_noop
from oscar.core.loading import get_model

from shop.speed import rows

OrderNote = get_model("order", "OrderNote")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

# Payment event types, named as the buyer reads them (stored in Chinese, shown through
# ``event_label``).
EVENT_DUE = gettext_noop("应付")
EVENT_PAID_ONLINE = gettext_noop("在线付款")
EVENT_PAID_AT_PICKUP = gettext_noop("取货时付款")
EVENT_REFUNDED = gettext_noop("退款")
EVENT_CASH_OWED = gettext_noop("待退现金")
EVENT_PAID_BY_TRANSFER = gettext_noop("对公转账到账")
EVENT_TYPES = (
    EVENT_DUE,
    EVENT_PAID_ONLINE,
    EVENT_PAID_AT_PICKUP,
    EVENT_REFUNDED,
    EVENT_CASH_OWED,
    EVENT_PAID_BY_TRANSFER,
)


def event_label(name):
    """A payment event type's name in the reader's language (others as stored)."""
    return gettext(name) if name in EVENT_TYPES else name


def _who(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def note(order, message, user=None):
    return OrderNote.objects.create(
        order=order, user=_who(user), note_type=OrderNote.SYSTEM, message=message
    )


def payment_event(order, type_name, amount, reference="", lines=None, user=None, message=""):
    """Record money moving for ``order``; ``lines`` is [(order line, quantity)] or all lines."""
    event_type = rows.get_or_create(PaymentEventType, name=type_name)
    event = PaymentEvent.objects.create(
        order=order, event_type=event_type, amount=amount, reference=reference[:128]
    )
    if lines is None:
        lines = [(line, line.quantity) for line in order.lines.all()]
    PaymentEventQuantity.objects.bulk_create(
        PaymentEventQuantity(event=event, line=line, quantity=quantity) for line, quantity in lines
    )
    if message:
        note(order, message, user)
    return event
