"""Recording how an order is paid.

Pay on pickup takes no money at checkout: the order gets a payment source with
the amount allocated, and the team debits what is due when cash or a transfer arrives
at handover (``shop.order.life.paid_in_cash``). Online payment is debited when Stripe
confirms it (``shop.payment.stripe_gateway``). What an order owes is ``shop.order.money``'s.
"""

from oscar.core.loading import get_model

from shop.order import history, money
from shop.payment.methods import BANK_TRANSFER, PAY_ON_PICKUP, STRIPE, label
from shop.speed import rows

Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
Refund = get_model("payment", "Refund")


class PaymentProblem(ValueError):
    """A payment action that cannot be done; the message is for the person who tried."""


def source_type(method):
    return rows.get_or_create(SourceType, code=method, defaults={"name": str(label(method))})


def _due_at_placement(method):
    """Pay on pickup and transfer owe the total from the moment the order is placed."""
    return method in (PAY_ON_PICKUP, BANK_TRANSFER)


def record_payment_choice(view, method, total):
    """Attach a payment source to the order being placed by an Oscar checkout view."""
    source = Source(
        source_type=source_type(method), currency=total.currency, amount_allocated=total.incl_tax
    )
    view.add_payment_source(source)
    if _due_at_placement(method):
        view.add_payment_event(history.EVENT_DUE, total.incl_tax)


def record_payment_choice_on(order, method, total):
    """As ``record_payment_choice``, for an order written outside a checkout view (a
    standing order placed at the cut-off). Such an order does not wait for its payment:
    paid online, it owes its total from placement too, payable online through
    ``shop.payment.pay_rest`` and else in cash at hand-over (``money.cash_to_collect``)."""
    Source.objects.create(
        order=order,
        source_type=source_type(method),
        currency=total.currency,
        amount_allocated=total.incl_tax,
    )
    if _due_at_placement(method) or method == STRIPE:
        history.payment_event(order, history.EVENT_DUE, total.incl_tax)


def order_source(order, method=None):
    sources = order.sources.select_related("source_type")
    if method:
        sources = sources.filter(source_type__code=method)
    return sources.order_by("pk").first()


def is_pay_on_pickup(order):
    return money.of(order).is_pay_on_pickup


def is_online(order):
    return money.of(order).is_online


def amount_to_collect(order):
    """What the team still collects at handover for a pay-on-pickup order."""
    return money.of(order).cash_to_collect


def is_unpaid(order):
    """True for a pay-on-pickup order with cash still to collect (the run sheet shows it)."""
    return amount_to_collect(order) > 0
