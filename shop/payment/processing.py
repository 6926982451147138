"""Recording how an order is paid.

Pay on pickup takes no money at checkout: the order gets a payment source with
the amount allocated, and the team debits it when cash or a transfer arrives at
handover.
"""

from oscar.core.loading import get_model

from shop.payment.methods import PAY_ON_PICKUP, label

Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")


def record_payment_choice(view, method, total):
    """Attach a payment source to the order being placed by an Oscar checkout view."""
    source_type, _ = SourceType.objects.get_or_create(
        code=method, defaults={"name": str(label(method))}
    )
    source = Source(source_type=source_type, currency=total.currency, amount_allocated=total.incl_tax)
    view.add_payment_source(source)
    if method == PAY_ON_PICKUP:
        view.add_payment_event("allocated", total.incl_tax)
