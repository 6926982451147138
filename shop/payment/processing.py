"""Recording how an order is paid.

Pay on pickup takes no money at checkout: the order gets a payment source with
the amount allocated, and the team debits it when cash or a transfer arrives at
handover (``mark_paid_on_pickup``). Online payment is debited when Stripe confirms
it (``shop.payment.stripe_gateway``).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop import rows
from shop.order import history
from shop.payment.methods import PAY_ON_PICKUP, STRIPE, label

Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
Refund = get_model("payment", "Refund")


class PaymentProblem(ValueError):
    """A payment action that cannot be done; the message is for the person who tried."""


def source_type(method):
    return rows.get_or_create(SourceType, code=method, defaults={"name": str(label(method))})


def record_payment_choice(view, method, total):
    """Attach a payment source to the order being placed by an Oscar checkout view."""
    source = Source(
        source_type=source_type(method), currency=total.currency, amount_allocated=total.incl_tax
    )
    view.add_payment_source(source)
    if method == PAY_ON_PICKUP:
        view.add_payment_event(history.EVENT_DUE, total.incl_tax)


def order_source(order, method=None):
    sources = order.sources.select_related("source_type")
    if method:
        sources = sources.filter(source_type__code=method)
    return sources.order_by("pk").first()


def is_pay_on_pickup(order):
    source = order_source(order)
    return source is not None and source.source_type.code == PAY_ON_PICKUP


def is_online(order):
    source = order_source(order)
    return source is not None and source.source_type.code == STRIPE


def cash_refunds(order):
    return Refund.objects.filter(order=order, state=Refund.State.CASH_OWED).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")


def amount_to_collect(order):
    """What the team still collects at handover for a pay-on-pickup order."""
    source = order_source(order, PAY_ON_PICKUP)
    if source is None or order.status == history.CANCELLED:
        return Decimal("0")
    if source.amount_debited > 0:
        return Decimal("0")
    return max(Decimal("0"), source.amount_allocated - cash_refunds(order))


def is_unpaid(order):
    """True for a pay-on-pickup order nobody has marked paid yet (the run sheet shows it)."""
    return amount_to_collect(order) > 0


def mark_paid_on_pickup(order, user, amount=None, reference=""):
    """The team took cash or a transfer at handover: debit the source, log who and when.

    Marking twice does nothing the second time (returns False).
    """
    with transaction.atomic():
        source = (
            Source.objects.select_for_update()
            .filter(order=order, source_type__code=PAY_ON_PICKUP)
            .first()
        )
        if source is None:
            raise PaymentProblem(_("这个订单不是取货时付款。"))
        if order.status == history.CANCELLED:
            raise PaymentProblem(_("订单已取消，不能收款。"))
        if source.amount_debited > 0:
            return False
        due = max(Decimal("0"), source.amount_allocated - cash_refunds(order))
        amount = due if amount is None else Decimal(amount)
        if amount <= 0:
            raise PaymentProblem(_("收款金额要大于 0。"))
        who = getattr(user, "get_username", lambda: "")()
        source.debit(amount, reference=reference or f"pickup:{who}")
        history.payment_event(
            order,
            history.EVENT_PAID_AT_PICKUP,
            amount,
            reference=reference or who,
            user=user,
            message=_("取货时已收款 ¥%(amount)s（%(who)s 登记）") % {"amount": amount, "who": who},
        )
    return True
